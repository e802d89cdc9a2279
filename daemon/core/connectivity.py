"""Can the daemon reach the server and its store? Set by whoever talks to them, shown on
``status``, on the jobs that wait for it, and sent as a ``connectivity`` event."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from daemon.core.events import EventBus
from shared.control.schemas import ConnectivityView


class Connectivity:
    def __init__(self, bus: EventBus) -> None:
        self._bus = bus
        self._lock = threading.Lock()
        self._state: str = "unknown"
        self._what = "server"
        self._retry_at: datetime | None = None

    def view(self) -> ConnectivityView:
        with self._lock:
            state, what, retry_at = self._state, self._what, self._retry_at
        if state != "unreachable":
            return ConnectivityView(server="ok" if state == "ok" else "unknown")
        return ConnectivityView(
            server="unreachable", message=unreachable_message(what, retry_at), retry_at=retry_at
        )

    def reachable(self) -> None:
        """The server answered: clear any "unreachable" state."""
        with self._lock:
            changed = self._state != "ok"
            self._state, self._retry_at = "ok", None
        if changed:
            self._announce()

    def unreachable(self, retry_in: float, what: str = "server") -> str:
        """The server (or ``what``: "storage") did not answer; returns the message to show."""
        retry_at = datetime.now(UTC) + timedelta(seconds=retry_in)
        with self._lock:
            changed = self._state != "unreachable" or self._what != what
            self._state, self._what, self._retry_at = "unreachable", what, retry_at
        if changed:
            self._announce()
        return unreachable_message(what, retry_at)

    @property
    def is_unreachable(self) -> bool:
        return self._state == "unreachable"

    def _announce(self) -> None:
        self._bus.data("connectivity", self.view().model_dump(mode="json", by_alias=True))


def unreachable_message(what: str, retry_at: datetime | None) -> str:
    if retry_at is None:
        return f"{what} unreachable"
    seconds = max(0, round((retry_at - datetime.now(UTC)).total_seconds()))
    return f"{what} unreachable, retrying in {seconds} s"
