"""A thread that looks for due work, then sleeps until the next thing is due or it is woken.

The daemon runs two: one starts jobs, one makes the queued server calls. Apart, a server
that takes its time over one call (up to the client's timeout) holds up only the calls
queued behind it, never the start of a new upload."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from datetime import datetime

from daemon.jobs.models import utcnow

log = logging.getLogger(__name__)
LONGEST_SLEEP = 300.0  # a look without a reason, at most this far apart
AFTER_FAILED_LOOK = 5.0

Look = Callable[[datetime], float]
"""One look at what is due at the given time; returns the seconds to sleep after it."""


class WakeableLoop:
    def __init__(self, name: str, look: Look) -> None:
        self.name, self.look = name, look
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def ask_to_stop(self) -> None:
        self._stop.set()
        self._wake.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def join(self, timeout: float) -> None:
        """Wait at most ``timeout`` seconds: a look stuck in a server call is left."""
        if self._thread:
            self._thread.join(timeout=max(0.0, timeout))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()  # before the look: a wake during it means look again
            now = utcnow()  # one clock per look: what was not due at ``now`` lies ahead
            try:
                sleep = self.look(now)
            except Exception:
                log.exception("%s: look failed", self.name)
                sleep = AFTER_FAILED_LOOK
            self._wake.wait(sleep)


def seconds_until(attempts: Iterable[datetime | None], now: datetime) -> float:
    """Seconds to the earliest attempt after ``now``, the start of the look (LONGEST_SLEEP
    if none). What the look itself made due (``process`` queued once ``complete`` is
    delivered) lies after ``now``: the next look comes at once. An attempt due at ``now``
    that the look did not start waits for a wake: it is held by the concurrency limit or
    the sign-in, whose ends wake the loop."""
    end_of_look = utcnow()
    ahead = [
        max(0.0, (at - end_of_look).total_seconds())
        for at in attempts
        if at is not None and at > now
    ]
    return min([LONGEST_SLEEP, *ahead])
