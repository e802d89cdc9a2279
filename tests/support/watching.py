"""Helpers for watched-folder tests: distinct real videos, and waiting on a folder's jobs."""

from __future__ import annotations

from pathlib import Path

from shared.control.schemas import JobView
from shared.control.states import TERMINAL_STATES
from tests.support.daemon import DaemonProcess, wait_until
from tests.videos import make_video

QUIET = 1  # quiet-seconds in these tests: short, so they finish quickly


def distinct_video(path: Path, n: int) -> Path:
    """A small real video whose content differs for each ``n``."""
    return make_video(path, seconds=1 + n / 5, width=320, height=240, audio=False)


def jobs_under(daemon: DaemonProcess, folder: Path) -> list[JobView]:
    return [j for j in daemon.client().jobs() if Path(j.path).is_relative_to(folder)]


def job_for(daemon: DaemonProcess, path: Path) -> JobView | None:
    matching = [j for j in daemon.client().jobs() if Path(j.path) == path]
    return matching[-1] if matching else None


def wait_for_file(
    daemon: DaemonProcess, path: Path, states: set[str] | None = None, timeout: float = 120
) -> JobView:
    """The job the watcher made for ``path``, once it reached one of ``states``."""
    wanted = states or set(TERMINAL_STATES)
    wait_until(
        lambda: (job := job_for(daemon, path)) is not None and job.state in wanted,
        timeout,
        f"no job for {path.name} reached {sorted(wanted)}",
    )
    job = job_for(daemon, path)
    assert job is not None
    return job


def start_watching(daemon: DaemonProcess, folder: Path, *options: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    result = daemon.cli("settings", "set", "quiet-seconds", str(QUIET))
    assert result.returncode == 0, result.stderr
    result = daemon.cli("watch", "add", str(folder), *options)
    assert result.returncode == 0, result.stderr
