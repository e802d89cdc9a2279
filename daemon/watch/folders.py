"""A watched folder at run time: its settings, how it is watched now, and what to show."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from daemon.core.errors import CoreError
from daemon.watch.ignore import UPLOADED_DIR
from daemon.watch.registry import FolderConfig
from shared.control.schemas import FolderView


class FolderState(StrEnum):
    WATCHING = "watching"  # native events
    SCANNING = "scanning"  # catch-up scan in progress
    POLLING = "polling"  # the OS refused a watch: periodic scan of this folder
    MISSING = "missing"  # not there (unplugged drive, network share): resumes on return
    ERROR = "error"


class WatchError(CoreError):
    """A watch request that cannot be honoured; the message says what and why."""

    status = 422
    code = "invalid_watch"


class NotWatched(WatchError):
    status = 404
    code = "not_watched"


@dataclass
class FolderRuntime:
    config: FolderConfig
    state: FolderState = FolderState.SCANNING
    error: str | None = None
    mode: FolderState = FolderState.WATCHING  # what to return to after a scan
    needs_scan: bool = True
    next_poll: float = 0.0
    native_retry_at: float = 0.0  # while polling: when to ask the OS for a watch again
    native_backoff: float = 0.0

    @property
    def root(self) -> Path:
        return Path(self.config.path)

    @property
    def uploaded_dir(self) -> Path:
        return self.root / UPLOADED_DIR

    @property
    def moves_uploaded(self) -> bool:
        return self.config.after_upload == "move"

    def contains(self, path: Path) -> bool:
        try:
            relative = path.relative_to(self.root)
        except ValueError:
            return False
        return self.config.recursive or len(relative.parts) <= 1

    def view(self, waiting: int) -> FolderView:
        return FolderView(
            path=self.config.path,
            course_id=self.config.course_id,
            recursive=self.config.recursive,
            after_upload="move" if self.moves_uploaded else "keep",
            state=self.state.value,
            error=self.error,
            waiting=waiting,
        )


def missing_message(root: Path) -> str:
    return (
        f"folder not found: {root} (unplugged drive or disconnected share?); "
        "watching resumes when it is back"
    )


def normalise(path: str) -> Path:
    """The absolute, symlink-free path a folder is known by; WatchError if not a folder."""
    if not path.strip():
        raise WatchError("give the folder to watch")
    folder = Path(path).expanduser()
    if not folder.is_absolute():
        raise WatchError(f"{path}: give an absolute path")
    folder = folder.resolve()
    if not folder.exists():
        raise WatchError(f"{folder} does not exist")
    if not folder.is_dir():
        raise WatchError(f"{folder} is not a folder")
    return folder
