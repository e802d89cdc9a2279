"""The daemon's event stream: job changes, account state, connectivity, settings, folders.

Every part of the daemon publishes here and every front end (the SSE route, and through it
the CLI and the window) subscribes here. A slow reader never blocks the publisher: its queue
is bounded and events beyond it are dropped for that reader only. When the daemon stops,
every subscription receives ``None`` and ends: a reader waiting for the next event (an
event stream's thread, up to its heartbeat) does not hold the daemon's exit.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from typing import Any

from shared.control.schemas import JobEvent, JobView

QUEUE_LIMIT = 10_000
Subscription = queue.Queue[JobEvent | None]  # None: the daemon stops, no more events


class EventBus:
    def __init__(self) -> None:
        self._subscribers: list[Subscription] = []
        self._lock = threading.Lock()
        self._closed = False

    def subscribe(self) -> Subscription:
        q: Subscription = queue.Queue(maxsize=QUEUE_LIMIT)
        with self._lock:
            if self._closed:
                q.put_nowait(None)
            else:
                self._subscribers.append(q)
        return q

    def close(self) -> None:
        """The daemon stops: every subscription ends (and one made later ends at once)."""
        with self._lock:
            self._closed = True
            targets, self._subscribers = self._subscribers, []
        for q in targets:
            while True:
                try:
                    q.put_nowait(None)
                    break
                except queue.Full:  # a reader 10,000 events behind: its oldest goes
                    with contextlib.suppress(queue.Empty):
                        q.get_nowait()

    def unsubscribe(self, q: Subscription) -> None:
        with self._lock:
            if q in self._subscribers:
                self._subscribers.remove(q)

    def publish(self, event: JobEvent) -> None:
        with self._lock:
            targets = list(self._subscribers)
        for q in targets:
            with contextlib.suppress(queue.Full):
                q.put_nowait(event)

    # -- shorthands for the event types of the control API ---------------------------------

    def job(self, view: JobView) -> None:
        self.publish(JobEvent(type="job", job=view))

    def job_removed(self, job_id: str) -> None:
        self.publish(JobEvent(type="jobRemoved", data={"id": job_id}))

    def data(self, kind: str, data: dict[str, Any]) -> None:
        """``account``, ``settings``, ``connectivity`` or ``folder`` with its view as a dict."""
        self.publish(JobEvent.model_validate({"type": kind, "data": data}))
