"""The tray icon's states and menu, quitting with or without stopping uploads, and the app
on a system without a tray (where it says nothing alarming)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop.app import DesktopApp
from desktop.bridge import DaemonBridge
from desktop.summary import Summary
from desktop.tray import Tray
from shared.control.client import ControlClient
from tests.support.daemon import DaemonProcess, home_dirs

pytestmark = pytest.mark.slow


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[DaemonProcess]:
    started = DaemonProcess(tmp_path / "home").start()
    yield started
    started.stop()


def app_for(qtbot: QtBot, daemon: DaemonProcess, use_tray: bool | None) -> DesktopApp:
    bridge = DaemonBridge(
        lambda: ControlClient.from_runtime_dir(home_dirs(daemon.home)), delays=(0.2,)
    )
    app = DesktopApp(bridge, use_tray=use_tray)
    qtbot.addWidget(app.window)
    with qtbot.waitSignal(bridge.connected, timeout=60_000):
        app.start()
    return app


def test_tray_shows_state_and_pauses_all(qtbot: QtBot, daemon: DaemonProcess) -> None:
    app = app_for(qtbot, daemon, use_tray=True)
    try:
        tray = app.tray
        assert tray is not None
        assert app.window.keep_running_on_close  # closing hides to the tray
        qtbot.waitUntil(lambda: tray.state == "attention", timeout=10_000)  # signed out
        assert "sign in" in tray.icon.toolTip().lower()
        tray.update(Summary("uploading", "Uploading 2 videos: 40%", 40))
        assert tray.state == "uploading" and "40%" in tray.status_action.text()
        with qtbot.waitSignal(tray.openRequested):
            tray.open_action.trigger()
        assert [a.text() for a in tray.menu.actions() if a.text()][1:] == [
            "Open ReelDrop",
            "Pause all uploads",
            "Resume all uploads",
            "Quit ReelDrop…",
        ]
    finally:
        app.stop()


def test_quit_keeps_or_stops_the_daemon_as_asked(qtbot: QtBot, daemon: DaemonProcess) -> None:
    app = app_for(qtbot, daemon, use_tray=True)
    quits: list[bool] = []
    app.quit = lambda stop_uploads: quits.append(stop_uploads)  # type: ignore[method-assign]
    try:
        assert app.tray is not None
        app.tray.quitRequested.emit()
        box = app.quit_dialog
        assert isinstance(box, QMessageBox)
        keep = next(b for b in box.buttons() if b.text() == "Quit, keep uploading")
        keep.click()
        assert quits == [False]
        app.ask_to_quit()
        box = app.quit_dialog
        assert isinstance(box, QMessageBox)
        box.button(QMessageBox.StandardButton.Cancel).click()
        assert quits == [False]
    finally:
        app.stop()

    app = app_for(qtbot, daemon, use_tray=False)
    app.quit(stop_uploads=True)  # the real thing: the daemon is asked to stop
    assert daemon.proc is not None
    daemon.proc.wait(timeout=60)


def test_without_a_tray_the_window_does_everything(
    qtbot: QtBot, daemon: DaemonProcess, capfd: pytest.CaptureFixture[str]
) -> None:
    assert not Tray.available()  # offscreen has no system tray
    app = app_for(qtbot, daemon, use_tray=None)
    try:
        assert app.tray is None
        assert app.window.keep_running_on_close is False  # closing ends the app, not uploads
        assert app.notifier.channel in ("window", "native")
        shown: list[str] = []
        app.notifier.shown.connect(lambda title, _text: shown.append(title))
        app.notifier.notify("Upload finished", "lecture.mp4 is in your library.")
        assert shown == ["Upload finished"]
        if app.notifier.channel == "window":
            assert "lecture.mp4" in app.window.statusBar().currentMessage()
        out, err = capfd.readouterr()
        assert "tray" not in (out + err).lower()
    finally:
        app.stop()
