"""The desktop app: one QApplication with the window, the tray icon and notifications.

``reeldrop gui`` calls ``run``. The daemon is a separate process: the app starts it when it
is not running, and closing the window (or quitting the app) leaves it uploading unless the
user asks to stop the uploads too.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop import icons, palette
from desktop.bridge import DaemonBridge
from desktop.errors import describe
from desktop.job_display import reason
from desktop.notifications import Notifier
from desktop.single_instance import SingleInstance
from desktop.summary import Summary
from desktop.tasks import run_task
from desktop.tray import Tray
from desktop.views.job_actions import cdn_link
from desktop.views.main_window import MainWindow
from shared.control.schemas import JobView

STOP_TOO, KEEP_UPLOADING = "stop", "keep"


class DesktopApp(QObject):
    """Everything the app is made of, wired; ``start()`` shows it."""

    def __init__(
        self,
        bridge: DaemonBridge,
        *,
        use_tray: bool | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.window = MainWindow(bridge)
        self.tray = Tray(self) if (Tray.available() if use_tray is None else use_tray) else None
        self.notifier = Notifier(
            self.tray.icon if self.tray else None, self.window.show_status, self
        )
        self.notifier.linkRequested.connect(self._copy)
        self.window.jobFinished.connect(self._notify_finished)
        bridge.settingsChanged.connect(self._settings_changed)
        self.window.settings_page.loaded.connect(self._settings_changed)
        self.window.keep_running_on_close = self.tray is not None
        self.quit_action = QAction("&Quit ReelDrop…", self.window)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.ask_to_quit)
        self.window.addAction(self.quit_action)
        self.quit_dialog: QMessageBox | None = None
        if self.tray is not None:
            self.tray.openRequested.connect(self.window.bring_to_front)
            self.tray.pauseAllRequested.connect(lambda: self._act_all("pause"))
            self.tray.resumeAllRequested.connect(lambda: self._act_all("resume"))
            self.tray.quitRequested.connect(self.ask_to_quit)
            self.window.summaryChanged.connect(self.tray.update)
            self.tray.update(self.window.current_summary())

    def start(self, minimized: bool = False) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.setQuitOnLastWindowClosed(self.tray is None)
        if self.tray is not None:
            self.tray.show()
        if not minimized:
            self.window.show()
        elif self.tray is None:
            self.window.showMinimized()  # no tray to live in: stay reachable in the task bar
        self.bridge.start()

    def stop(self) -> None:
        self.bridge.stop()
        if self.tray is not None:
            self.tray.hide()

    # -- actions ------------------------------------------------------------------------------

    def _act_all(self, action: str) -> None:
        run_task(
            lambda: self.bridge.client().act(action),
            None,
            lambda exc: self.window.show_status(describe(exc)),
        )

    def ask_to_quit(self) -> None:
        """Quit asks whether the uploads should stop too (they resume on the next start)."""
        box = QMessageBox(self.window)
        box.setWindowTitle("Quit ReelDrop")
        box.setIcon(QMessageBox.Icon.Question)
        box.setText("Quit ReelDrop?")
        box.setInformativeText(
            "Uploads and watched folders keep going in the background after the window "
            "closes. You can also stop them now; they continue the next time ReelDrop starts."
        )
        stop = box.addButton("Quit and stop uploads", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("Quit, keep uploading", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(keep)

        def answered(_result: int) -> None:
            self.quit_dialog = None
            clicked = box.clickedButton()
            if clicked is stop:
                self.quit(stop_uploads=True)
            elif clicked is keep:
                self.quit(stop_uploads=False)

        box.finished.connect(answered)
        self.quit_dialog = box
        self.window.bring_to_front()
        box.open()

    def quit(self, stop_uploads: bool) -> None:
        if stop_uploads and self.bridge.is_up:
            try:
                self.bridge.client().shutdown()
            except Exception as exc:  # the daemon is already gone: nothing left to stop
                self.window.show_status(describe(exc))
        self.stop()
        QApplication.quit()

    def _notify_finished(self, job: JobView) -> None:
        state = str(job.state)
        if state == "done":
            text = f"{job.filename} is in your library."
            run_task(
                lambda: cdn_link(self.bridge, job),
                lambda link: self.notifier.notify("Upload finished", text, link),
                lambda _exc: self.notifier.notify("Upload finished", text),
            )
        elif state in ("failed", "rejected"):
            why = reason(job) or "no reason was given"
            verb = "was not accepted" if state == "rejected" else "failed"
            self.notifier.notify("Upload stopped", f"{job.filename} {verb}: {why}")

    def _settings_changed(self, values: dict[str, str]) -> None:
        self.notifier.enabled = values.get("notifications", "on") != "off"

    def _copy(self, link: str) -> None:
        QApplication.clipboard().setText(link)

    def summary(self) -> Summary:
        return self.window.current_summary()


def run(
    argv: Sequence[str] | None = None,
    *,
    minimized: bool = False,
    start_daemon: Callable[[], None] | None = None,
) -> int:
    """The app's main loop; returns its exit code. A second start raises the first window."""
    app = QApplication.instance() or QApplication(list(argv or sys.argv[:1]))
    assert isinstance(app, QApplication)
    app.setApplicationName("ReelDrop")
    app.setApplicationDisplayName("ReelDrop")
    app.setDesktopFileName("reeldrop")
    app.setWindowIcon(icons.icon("reeldrop"))
    instance = SingleInstance()
    if instance.ask_running_instance():
        print("ReelDrop is already running; its window was brought to the front.")
        return 0
    instance.listen()
    palette.apply(app)
    desktop = DesktopApp(DaemonBridge(start_daemon=start_daemon))
    instance.activated.connect(desktop.window.bring_to_front)
    desktop.start(minimized=minimized)
    code = app.exec()
    desktop.stop()
    return int(code)
