"""How jobs look on a terminal: sizes, speeds, ETAs, a bar per file, and the final lines."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TextIO

from shared.control.job_line import JobLine
from shared.control.states import TERMINAL_STATES, JobState

BAR_WIDTH = 24
POLL_SECONDS = 0.5


def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if abs(n) < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


def human_eta(seconds: int | None) -> str:
    if seconds is None:
        return "-"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def percent(job: JobLine) -> str:
    return f"{100 * job.bytes_sent / job.total_bytes:5.1f}%" if job.total_bytes else "    -"


def speed_and_eta(job: JobLine) -> str:
    """ "12.3 MB/s, ETA 0:42" while bytes move; empty otherwise."""
    if job.state != JobState.UPLOADING or not job.speed_bps:
        return ""
    return f"{human_bytes(job.speed_bps)}/s, ETA {human_eta(job.eta_seconds)}"


def status_line(job: JobLine) -> str:
    parts = [f"{job.id}  {job.state:<11} {percent(job)}  {job.filename}"]
    live = speed_and_eta(job)
    if live:
        parts.append(live)
    if job.error:
        parts.append(job.error)
    return "  ".join(parts)


def bar_line(job: JobLine) -> str:
    filled = int(BAR_WIDTH * job.bytes_sent / job.total_bytes) if job.total_bytes else 0
    bar = "#" * filled + "." * (BAR_WIDTH - filled)
    live = speed_and_eta(job) or (job.error or "")
    return f"{job.filename[:30]:<30} [{bar}] {percent(job)} {job.state:<10} {live}"[:160]


def final_line(job: JobLine) -> str:
    """``PATH: STATE: playback URL`` or ``PATH: STATE: reason``."""
    if job.state in (JobState.DONE, JobState.DUPLICATE) and job.cdn_url:
        outcome = job.cdn_url
    elif job.error:
        outcome = job.error
    else:
        outcome = "no playback URL yet" if job.state == JobState.DONE else "no reason given"
    return f"{job.path}: {job.state}: {outcome}"


class ProgressDisplay:
    """Redraws one bar per file in place on a terminal; prints a plain line per change
    (state, or each tenth of the file) when the output is a pipe or a file."""

    def __init__(self, out: TextIO = sys.stdout) -> None:
        self.out = out
        self.tty = out.isatty()
        self.drawn = 0
        self.last: dict[str, tuple[str, int]] = {}

    def show(self, jobs: list[JobLine]) -> None:
        if self.tty:
            if self.drawn:
                self.out.write(f"\x1b[{self.drawn}F")
            for job in jobs:
                self.out.write("\x1b[2K" + bar_line(job) + "\n")
            self.drawn = len(jobs)
        else:
            for job in jobs:
                tenth = int(10 * job.bytes_sent / job.total_bytes) if job.total_bytes else 0
                if self.last.get(job.id) != (job.state, tenth):
                    self.last[job.id] = (job.state, tenth)
                    self.out.write(status_line(job) + "\n")
        self.out.flush()


class Ends:
    """What the daemon's event stream said about the jobs being followed: ``signal`` is set
    each time one of them reaches a terminal state, and ``final()`` gives every job as it
    ended once all have, so the command needs no last fetch to print them."""

    def __init__(self, ids: Sequence[str]) -> None:
        self.ids = list(ids)
        self.signal = threading.Event()
        self._ended: dict[str, JobLine] = {}
        self._lock = threading.Lock()

    def saw(self, job: JobLine) -> None:
        if job.id not in self.ids:
            return
        with self._lock:
            if job.state in TERMINAL_STATES:
                self._ended[job.id] = job
            else:  # started again (a retry): not ended any more
                self._ended.pop(job.id, None)
        if job.state in TERMINAL_STATES:
            self.signal.set()

    def final(self) -> list[JobLine] | None:
        with self._lock:
            if all(i in self._ended for i in self.ids):
                return [self._ended[i] for i in self.ids]
        return None


def follow(
    fetch: Callable[[], list[JobLine]],
    display: ProgressDisplay,
    poll: float = POLL_SECONDS,
    ends: Ends | None = None,
) -> list[JobLine]:
    """Show the jobs until every one has ended; returns them as they ended. ``ends`` (see
    ``watch_for_ends``) cuts the wait for the next poll short when a job ends, and once the
    stream has seen every job end, its views are the last word."""
    while True:
        final = ends.final() if ends is not None else None
        jobs = final if final is not None else fetch()
        display.show(jobs)
        if all(job.state in TERMINAL_STATES for job in jobs):
            return jobs
        if ends is None:
            time.sleep(poll)
        elif ends.signal.wait(poll):
            ends.signal.clear()


def watch_for_ends(events: Callable[[], Iterable[JobLine | None]], ids: Sequence[str]) -> Ends:
    """The ends of ``ids`` as the daemon's event stream tells them (``job_line_events``),
    read in a background thread: the last job's end is seen at once, not up to a poll
    later. If the stream fails, polling alone goes on."""
    ends = Ends(ids)

    def read() -> None:
        try:
            for job in events():
                if job is not None:
                    ends.saw(job)
        except Exception:  # the stream is only a shortcut; polling still sees every end
            return

    threading.Thread(target=read, name="job-events", daemon=True).start()
    return ends
