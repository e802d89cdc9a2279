"""A thread pool for a job's side requests (the early ``initiate``, the thumbnail) whose
work in flight the daemon's stop can wait for, up to a deadline, and no longer."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class BackgroundPool:
    def __init__(self, workers: int, name: str) -> None:
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix=name)
        self._lock = threading.Lock()
        self._running: set[Future[object]] = set()
        self._closed = False

    def submit(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> Future[T] | None:
        """The work's future; None once the pool is closed (the daemon stops)."""
        with self._lock:
            if self._closed:
                return None
            future = self._pool.submit(fn, *args, **kwargs)
            self._running.add(future)  # type: ignore[arg-type]
        future.add_done_callback(self._finished)  # outside the lock: may run at once
        return future

    def _finished(self, future: Future[T]) -> None:
        with self._lock:
            self._running.discard(future)

    def close(self) -> None:
        """No new work; queued work is dropped and idle threads end. Work in flight goes on
        until it ends by itself (its answer, or its request's timeout)."""
        with self._lock:
            self._closed = True
        # Outside the lock: cancelling queued work runs its done-callbacks here, at once.
        self._pool.shutdown(wait=False, cancel_futures=True)

    def unfinished_after(self, seconds: float) -> int:
        """Wait up to ``seconds`` for the work in flight; how much of it is still running."""
        with self._lock:
            running = set(self._running)
        return len(wait(running, timeout=max(0.0, seconds)).not_done)
