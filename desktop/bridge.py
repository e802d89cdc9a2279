"""The one bridge between the daemon and the window: its event stream becomes Qt signals.

A worker thread opens the control API's event stream, takes a full snapshot once the stream
is connected (so nothing falls between snapshot and stream), then forwards each event. When
the daemon is gone it says so, starts it once if asked to, and reconnects with back-off.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from shared.control.client import (
    ControlClient,
    ControlError,
    DaemonNotRunning,
    DaemonUnavailable,
)
from shared.control.schemas import AccountView, JobEvent, JobView

NOT_RUNNING = "The ReelDrop daemon is not running."
STARTING = "Starting the ReelDrop daemon…"
UNRESPONSIVE = "The ReelDrop daemon is running but does not answer; retrying…"
LOST = "Lost the connection to the ReelDrop daemon; reconnecting…"

ClientFactory = Callable[[], ControlClient]


class _EventPump(QObject):
    """Follows the stream in a daemon thread: a read blocked until the next heartbeat never
    holds up quitting, and its signals reach the GUI thread queued."""

    snapshot = Signal(object)
    received = Signal(object)
    down = Signal(str)

    def __init__(
        self,
        factory: ClientFactory,
        start_daemon: Callable[[], None] | None,
        delays: tuple[float, ...],
    ) -> None:
        super().__init__()
        self._factory, self._start_daemon, self._delays = factory, start_daemon, delays
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._stream_client: ControlClient | None = None
        self._thread = threading.Thread(target=self.run, name="reeldrop-events", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def is_running(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            if self._stream_client is not None:
                self._stream_client.close()  # unblocks the stream read

    def run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            if self._follow_once():
                failures = 0
            if self._stopping.is_set():
                return
            if failures == 0 and self._start_daemon is not None:
                self._start_daemon()
                self._start_daemon = None
                self.down.emit(STARTING)
            delay = self._delays[min(failures, len(self._delays) - 1)]
            failures += 1
            self._stopping.wait(delay)

    def _follow_once(self) -> bool:
        """Follow the stream until it ends; True when it had been connected."""
        connected = False
        try:
            client = self._factory()
            with self._lock:
                if self._stopping.is_set():
                    client.close()
                    return False
                self._stream_client = client
            for event in client.events():
                if self._stopping.is_set():
                    break
                if not connected:
                    connected = True
                    self.snapshot.emit(client.status())
                if event is not None:
                    self.received.emit(event)
        except (DaemonUnavailable, ControlError, OSError) as exc:
            if not self._stopping.is_set():
                self.down.emit(LOST if connected else _describe_down(exc))
        finally:
            with self._lock:
                if self._stream_client is not None:
                    self._stream_client.close()
                self._stream_client = None
        return connected


def _describe_down(exc: Exception) -> str:
    if isinstance(exc, ControlError):
        return f"The ReelDrop daemon answered with an error: {exc.message}"
    if isinstance(exc, DaemonNotRunning):
        return NOT_RUNNING
    return UNRESPONSIVE


class DaemonBridge(QObject):
    """Signals for everything the daemon reports, and the client for commands."""

    connected = Signal(object)  # StatusView, after every (re)connect
    daemonDown = Signal(str)  # a sentence saying what is wrong
    jobChanged = Signal(object)  # JobView
    jobRemoved = Signal(str)
    accountChanged = Signal(object)  # AccountView
    settingsChanged = Signal(dict)
    connectivityChanged = Signal(dict)
    folderChanged = Signal(dict)

    def __init__(
        self,
        factory: ClientFactory = ControlClient.from_runtime_dir,
        *,
        start_daemon: Callable[[], None] | None = None,
        delays: tuple[float, ...] = (0.2, 0.5, 1.0, 2.0, 4.0),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._factory = factory
        self._start_daemon = start_daemon
        self._delays = delays
        self._client: ControlClient | None = None
        self._pump: _EventPump | None = None
        self.is_up = False
        self.down_message = NOT_RUNNING

    def start(self) -> None:
        if self._pump is not None:
            return
        self._pump = _EventPump(self._factory, self._start_daemon, self._delays)
        self._pump.snapshot.connect(self._on_snapshot)
        self._pump.received.connect(self._on_event)
        self._pump.down.connect(self._on_down)
        self._pump.start()

    def stop(self) -> None:
        if self._pump is not None:
            self._pump.stop()
            for signal in (self._pump.snapshot, self._pump.received, self._pump.down):
                signal.disconnect()
            self._pump = None
        if self._client is not None:
            self._client.close()
            self._client = None

    def client(self) -> ControlClient:
        """A client for commands; raises the daemon-unavailable error while it is down."""
        if self._client is None:
            self._client = self._factory()
        return self._client

    def start_daemon(self) -> None:
        if self._start_daemon is not None:
            self._start_daemon()

    def _on_snapshot(self, status: Any) -> None:
        if self._pump is None:
            return
        if self._client is not None:
            self._client.close()
        self._client = None  # the daemon may have a new port or token
        self.is_up = True
        self.connected.emit(status)

    def _on_down(self, message: str) -> None:
        if self._pump is None:
            return
        self.is_up = False
        self.down_message = message
        self.daemonDown.emit(message)

    def _on_event(self, event: JobEvent) -> None:
        if self._pump is None:
            return
        kind, data = str(event.type), event.data or {}
        if kind == "job" and event.job is not None:
            self.jobChanged.emit(event.job)
        elif kind == "jobRemoved":
            self.jobRemoved.emit(str(data.get("id", "")))
        elif kind == "account":
            self.accountChanged.emit(AccountView.model_validate(data))
        elif kind == "settings":
            self.settingsChanged.emit(dict(data))
        elif kind == "connectivity":
            self.connectivityChanged.emit(dict(data))
        elif kind == "folder":
            self.folderChanged.emit(dict(data))


__all__ = ["DaemonBridge", "DaemonUnavailable", "JobView"]
