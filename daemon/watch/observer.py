"""Native filesystem watches, one per folder, and what to say when the OS refuses one.

Linux limits inotify watches per user (ENOSPC) and instances (EMFILE); a refusal affects
only the folder being added, which then falls back to a periodic scan of itself alone.
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch

# Tests make the native observer refuse folders whose names this file lists (one per line,
# read at every attempt, so a test can lift the refusal from outside the daemon).
REFUSE_FILE_ENV = "REELDROP_TEST_REFUSE_WATCH_FILE"

FIXES = {
    errno.ENOSPC: (
        "the system's limit of file watches is reached (inotify, ENOSPC); fix: raise it, "
        "e.g. `sudo sysctl fs.inotify.max_user_watches=524288` and add "
        "`fs.inotify.max_user_watches=524288` to /etc/sysctl.d/90-reeldrop.conf; "
        "ReelDrop tries again by itself"
    ),
    errno.EMFILE: (
        "the system's limit of watch instances is reached (inotify, EMFILE); fix: raise it, "
        "e.g. `sudo sysctl fs.inotify.max_user_instances=1024` and add "
        "`fs.inotify.max_user_instances=1024` to /etc/sysctl.d/90-reeldrop.conf; "
        "ReelDrop tries again by itself"
    ),
}


class WatchRefused(Exception):
    """The OS would not watch this folder; the message says why and how to fix it."""


def refusal_message(exc: OSError) -> str:
    return FIXES.get(exc.errno or 0) or f"the folder cannot be watched: {exc.strerror or exc}"


def _refused_by_tests() -> set[str]:
    listed = os.environ.get(REFUSE_FILE_ENV)
    if not listed:
        return set()
    try:
        return {line.strip() for line in Path(listed).read_text().splitlines() if line.strip()}
    except OSError:
        return set()


class NativeWatches:
    def __init__(self) -> None:
        self.observer = Observer()
        self.observer.daemon = True
        self.watches: dict[str, ObservedWatch] = {}

    def start(self) -> None:
        self.observer.start()

    def stop(self) -> None:
        self.observer.stop()
        self.observer.join(timeout=5)

    def watch(self, root: Path, handler: FileSystemEventHandler, *, recursive: bool) -> None:
        """Raises WatchRefused when the OS refuses (the folder then polls instead)."""
        self.unwatch(root)
        try:
            if root.name in _refused_by_tests():
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(root))
            self.watches[str(root)] = self.observer.schedule(
                handler, str(root), recursive=recursive
            )
        except OSError as exc:
            raise WatchRefused(refusal_message(exc)) from None

    def unwatch(self, root: Path) -> None:
        watch = self.watches.pop(str(root), None)
        if watch is not None:
            with contextlib.suppress(KeyError, OSError):
                self.observer.unschedule(watch)
