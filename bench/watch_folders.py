"""Watched folders at scale: the initial scan of a 10,000-file nested tree, the catch-up
scan at start when every file was already uploaded, and idle CPU while watching it.

Runs the real watcher (native observer, SQLite registry) in this process; the jobs side is
a recorder, since no upload is measured here. ``python -m bench.watch_folders``.
"""

from __future__ import annotations

import queue
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from daemon.core.events import Subscription
from daemon.db import create_schema, make_engine, make_session_factory
from daemon.watch.fingerprint import quick_fingerprint
from daemon.watch.models import WatchedFile
from daemon.watch.registry import WatchRegistry
from daemon.watch.watcher import Watcher

FILES, DIRS, SUBDIRS = 10_000, 100, 10  # 100 x 10 folders, 10 files each
IDLE_SECONDS = 30.0  # when run on its own; `make bench` passes its setting


class RecordingSink:
    """Stands in for the job pipeline: counts what would have been submitted."""

    def __init__(self) -> None:
        self.submitted: list[Path] = []

    def submit(self, path: Path, course_id: str | None, folder: str) -> str:
        self.submitted.append(path)
        return f"job{len(self.submitted)}"

    def reject(
        self, path: Path, course_id: str | None, folder: str, code: str, message: str
    ) -> str:
        return "rejected"

    def content_sha1(self, job_id: str) -> str | None:
        return None

    def job_state(self, job_id: str) -> str | None:
        return None

    def subscribe(self) -> Subscription:
        return queue.Queue()

    def unsubscribe(self, subscription: Subscription) -> None:
        pass

    def announce_folder(self, data: dict[str, Any]) -> None:
        pass


def make_tree(root: Path) -> list[Path]:
    files = []
    per_folder = FILES // (DIRS * SUBDIRS)
    for d in range(DIRS):
        for s in range(SUBDIRS):
            folder = root / f"course-{d:03d}" / f"week-{s:02d}"
            folder.mkdir(parents=True)
            for f in range(per_folder):
                path = folder / f"lecture-{f}.mp4"
                path.write_bytes(f"{d}/{s}/{f}".encode())
                files.append(path)
    return files


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def wait_for(watcher: Watcher, state: str, waiting: int, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        views = watcher.views()
        if views and views[0].state == state and views[0].waiting == waiting:
            return
        time.sleep(0.01)
    raise RuntimeError(f"the watcher never reached {state} with {waiting} waiting")


def mark_all_uploaded(factory: sessionmaker[Session], root: Path, files: list[Path]) -> None:
    with factory() as db:
        for n, path in enumerate(files):
            stat = path.stat()
            db.add(
                WatchedFile(
                    folder=str(root),
                    path=str(path),
                    size=stat.st_size,
                    mtime=stat.st_mtime,
                    fingerprint=quick_fingerprint(path),
                    outcome="submitted",
                    job_id=f"j{n}",
                )
            )
        db.commit()


def timed_add(factory: sessionmaker[Session], root: Path, waiting: int) -> tuple[float, Watcher]:
    watcher = Watcher(
        WatchRegistry(factory),
        RecordingSink(),
        quiet_seconds=lambda: 3600.0,  # nothing becomes due while measuring
        allowed_formats=lambda: ("mp4", "webm", "avi", "mov"),
    )
    watcher.start()
    started = time.perf_counter()
    watcher.add(str(root))
    wait_for(watcher, "watching", waiting)
    return time.perf_counter() - started, watcher


def rows(idle_seconds: float = IDLE_SECONDS) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        root = tmp / "tree"
        files = make_tree(root)
        engine = make_engine(tmp / "new.sqlite")
        create_schema(engine)
        t_new, watcher = timed_add(make_session_factory(engine), root, len(files))
        watcher.stop()
        engine.dispose()

        engine = make_engine(tmp / "known.sqlite")
        create_schema(engine)
        factory = make_session_factory(engine)
        mark_all_uploaded(factory, root, files)
        t_known, watcher = timed_add(factory, root, 0)
        before, wall = cpu_seconds(), time.perf_counter()
        time.sleep(idle_seconds)
        idle = (cpu_seconds() - before) / (time.perf_counter() - wall)
        watcher.stop()
        engine.dispose()
    return [
        f"| watch a nested tree of {len(files):,} new videos ({DIRS * SUBDIRS + DIRS + 1:,} "
        f"folders): native watches set and every file found | {t_new:.2f} s |",
        f"| the same tree at start, every file already uploaded (catch-up scan) | "
        f"{t_known:.2f} s |",
        f"| idle CPU while natively watching that tree, over {idle_seconds:.0f} s | "
        f"{idle * 100:.2f} % of one core |",
    ]


if __name__ == "__main__":
    print("\n".join(rows()))
