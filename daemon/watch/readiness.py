"""When is a watched file finished? Writer closed it, size and mtime stayed the same for the
quiet window, and the file is whole (structure complete, ffprobe reads it).

``Candidate`` and ``decide`` are pure: the watcher feeds them stat results and the clock.
``whole_file_problem`` is the one place that reads the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from daemon.watch.structure import CHECKS, Incomplete
from shared.media.errors import MediaError
from shared.media.probe import probe
from shared.media.signature import sniff_container

REJECT_AFTER_QUIET_WINDOWS = 12  # unreadable this long after its last write: give up
LOST_CLOSE_SECONDS = 600.0  # a writer silent this long lost its close event: look anyway


@dataclass
class Candidate:
    """A file that may become an upload; times are monotonic seconds."""

    path: Path
    folder: str
    size: int
    mtime: float
    stable_since: float
    writing: bool = False
    next_check: float = 0.0

    def observe(self, size: int, mtime: float, now: float) -> bool:
        """Record a fresh stat; True (and the quiet window restarts) if the file changed."""
        if (size, mtime) == (self.size, self.mtime):
            return False
        self.size, self.mtime, self.stable_since = size, mtime, now
        return True


class Step(StrEnum):
    WAIT = "wait"  # keep waiting quietly
    CHECK = "check"  # quiet long enough: read it


def due_at(candidate: Candidate, quiet_seconds: float) -> float:
    """When the candidate is next worth reading (monotonic seconds): after the quiet window,
    and while its writer still holds it open (no close-after-write yet) not before a lost
    close event is the only explanation left."""
    wait = LOST_CLOSE_SECONDS if candidate.writing else quiet_seconds
    return max(candidate.stable_since + max(wait, quiet_seconds), candidate.next_check)


def decide(candidate: Candidate, now: float, quiet_seconds: float) -> Step:
    """Whether a candidate is quiet enough to be read; never an error while it grows."""
    return Step.CHECK if now >= due_at(candidate, quiet_seconds) else Step.WAIT


def give_up(seconds_since_write: float, quiet_seconds: float) -> bool:
    """An unreadable file this long after its last write will not become readable."""
    return seconds_since_write >= REJECT_AFTER_QUIET_WINDOWS * quiet_seconds


def whole_file_problem(path: Path) -> tuple[str, str] | None:
    """None if the file is a whole video; else (code, reason) saying what is missing."""
    name = path.name
    try:
        container = sniff_container(path)
        if container is None:
            if path.stat().st_size == 0:
                return "empty_file", f"{name} is empty (0 bytes)"
            return "unsupported_format", f"{name} is not a video file (MP4, WebM, MOV or AVI)"
        CHECKS[container](path)
        probe(path)
    except Incomplete as exc:
        return "incomplete", f"{name} is incomplete: {exc}"
    except MediaError as exc:
        return exc.code, exc.message
    except OSError as exc:
        return "unreadable", f"{name} cannot be read: {exc.strerror or exc}"
    return None
