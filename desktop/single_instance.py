"""One app per user: a second ``reeldrop gui`` asks the first to raise its window and exits.

The local socket's name is derived from the runtime directory, so every REELDROP_HOME (each
user, each test) has its own instance.
"""

from __future__ import annotations

import hashlib

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from shared.app_dirs import app_dirs

RAISE = b"raise\n"


def server_name() -> str:
    digest = hashlib.sha256(str(app_dirs().runtime).encode()).hexdigest()[:16]
    return f"reeldrop-gui-{digest}"


class SingleInstance(QObject):
    activated = Signal()  # another start asked us to show the window

    def __init__(self, name: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name or server_name()
        self._server: QLocalServer | None = None

    def ask_running_instance(self, timeout_ms: int = 2000) -> bool:
        """True when another instance answered (and was asked to raise its window)."""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(timeout_ms):
            return False
        socket.write(RAISE)
        socket.waitForBytesWritten(timeout_ms)
        socket.disconnectFromServer()
        return True

    def listen(self) -> bool:
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            QLocalServer.removeServer(self.name)  # a stale socket left by a crash
            if not server.listen(self.name):
                return False
        server.newConnection.connect(self._accept)
        self._server = server
        return True

    def _accept(self) -> None:
        """The message is one short line written right after connecting: read it here and
        close (no socket outlives this call, so none is deleted behind Python's back)."""
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            if not socket.bytesAvailable():
                socket.waitForReadyRead(1000)
            message = bytes(socket.readAll().data())
            socket.abort()
            if message.startswith(RAISE.strip()):
                self.activated.emit()
