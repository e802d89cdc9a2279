"""One daemon per user: a second one refuses to start instead of fighting over the queue.

The lock is an OS file lock on ``<runtime>/daemon.lock`` (``flock`` on POSIX, ``msvcrt``
on Windows). The OS drops it when the process ends, however it ends, so a crashed daemon
never leaves a stale lock behind. The file also records the holder's pid for the message.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import IO

LOCK_FILE = "daemon.lock"


class AlreadyRunning(Exception):
    """Another daemon of this user holds the lock; the message names it and what to do."""


class InstanceLock:
    def __init__(self, runtime_dir: Path) -> None:
        self.path = runtime_dir / LOCK_FILE
        self._handle: IO[str] | None = None

    def acquire(self) -> InstanceLock:
        """Take the lock or raise :class:`AlreadyRunning`."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        handle = os.fdopen(fd, "r+", encoding="utf-8")
        try:
            _lock(handle)
        except OSError:
            try:
                holder = handle.read().strip() or "unknown"
            except OSError:
                holder = "unknown"
            handle.close()
            raise AlreadyRunning(
                f"another ReelDrop daemon is already running for this user (pid {holder}); "
                "it keeps serving the window and the CLI. To start a new one, quit ReelDrop "
                "from the tray or stop that process first."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._handle = handle
        return self

    def release(self) -> None:
        if self._handle is None:
            return
        with contextlib.suppress(OSError):
            self._handle.seek(0)
            self._handle.truncate()
            _unlock(self._handle)
        self._handle.close()
        self._handle = None


if os.name == "nt":
    import msvcrt

    def _lock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined,unused-ignore]

    def _unlock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined,unused-ignore]

else:
    import fcntl

    def _lock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
