"""The desktop app against the whole stack: a real server, a real daemon process, and the
real window offscreen, connected through the real bridge."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from desktop.app import DesktopApp
from desktop.bridge import DaemonBridge
from shared.control.client import ControlClient
from tests.daemon.conftest import stack_server
from tests.support.api import PASSWORD, add_course, add_user, sign_in
from tests.support.daemon import DaemonProcess, home_dirs
from tests.support.live_server import LiveServer

__all__ = ["stack_server"]


@dataclass
class Running:
    app: DesktopApp
    daemon: DaemonProcess
    server: LiveServer
    email: str
    course_id: str
    video_ids: list[str]

    @property
    def window(self):  # type: ignore[no-untyped-def]
        return self.app.window


@pytest.fixture
def running(qtbot: QtBot, stack_server: LiveServer, tmp_path: Path) -> Iterator[Running]:
    """A fresh instructor with one course, a daemon (signed out) and the app connected to it."""
    email = add_user(stack_server)
    course_id, video_ids = add_course(stack_server, sign_in(stack_server, email), videos=2)
    home = tmp_path / "home"
    daemon = DaemonProcess(home).start()
    bridge = DaemonBridge(lambda: ControlClient.from_runtime_dir(home_dirs(home)), delays=(0.2,))
    app = DesktopApp(bridge, use_tray=False)
    qtbot.addWidget(app.window)
    try:
        with qtbot.waitSignal(bridge.connected, timeout=60_000):
            app.start()
        yield Running(app, daemon, stack_server, email, course_id, video_ids)
    finally:
        app.stop()
        daemon.stop()


def sign_in_through_window(qtbot: QtBot, running: Running, password: str = PASSWORD) -> None:
    page = running.window.account_page
    running.window.show_page(page)
    page.server.setText(running.server.url)
    page.email.setText(running.email)
    page.password.setText(password)
    qtbot.mouseClick(page.sign_in_button, Qt.MouseButton.LeftButton)


def drop_files(target: QWidget, paths: list[Path]) -> bool:
    """A real drag-enter and drop of file URLs, as a file manager delivers them."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    point = QPointF(target.width() / 2, target.height() / 2)
    actions = Qt.DropAction.CopyAction
    enter = QDragEnterEvent(
        point.toPoint(), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(target, enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(
        point, actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(target, drop)
    return drop.isAccepted()
