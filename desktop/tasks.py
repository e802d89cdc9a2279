"""Run a control-API call off the GUI thread and get its answer back on the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

_pending: set[_Task] = set()


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Task(QRunnable):
    def __init__(self, call: Callable[[], Any]) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.call = call
        self.signals = _Signals()

    def run(self) -> None:
        try:
            result = self.call()
        except Exception as exc:  # delivered to the caller's error handler
            self.signals.failed.emit(exc)
        else:
            self.signals.done.emit(result)


def run_task(
    call: Callable[[], Any],
    on_done: Callable[[Any], None] | None = None,
    on_failed: Callable[[Exception], None] | None = None,
) -> None:
    """``call()`` in the thread pool; ``on_done(result)`` or ``on_failed(exc)`` afterwards."""
    task = _Task(call)
    _pending.add(task)

    def finish(handler: Callable[[Any], None] | None, value: Any) -> None:
        _pending.discard(task)
        if handler is None:
            return
        try:
            handler(value)
        except RuntimeError as exc:  # the view that asked was closed meanwhile: drop the answer
            if "already deleted" not in str(exc):
                raise

    task.signals.done.connect(lambda result: finish(on_done, result))
    task.signals.failed.connect(lambda exc: finish(on_failed, exc))
    QThreadPool.globalInstance().start(task)


def pending() -> int:
    return len(_pending)
