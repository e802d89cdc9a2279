"""Settings: bandwidth limit, concurrent uploads, quiet window, notifications, start at
login, and the server this computer uploads to. Daemon settings go through the control API
(every client sees the change); start at login is this computer's autostart entry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.bridge import DaemonBridge
from desktop.errors import describe
from desktop.tasks import run_task
from desktop.views.account_page import heading
from shared import autostart


class SettingsPage(QWidget):
    changeServerRequested = Signal()
    loaded = Signal(dict)  # the daemon's settings, each time they are read or saved

    def __init__(self, bridge: DaemonBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self.values: dict[str, str] = {}

        self.bandwidth = QLineEdit()
        self.bandwidth.setAccessibleName("Bandwidth limit")
        self.bandwidth.setPlaceholderText("0 for no limit, or e.g. 5MB/s")
        self.concurrent = QSpinBox()
        self.concurrent.setRange(1, 16)
        self.concurrent.setAccessibleName("Concurrent uploads")
        self.quiet = QSpinBox()
        self.quiet.setRange(1, 3600)
        self.quiet.setSuffix(" s")
        self.quiet.setAccessibleName("Quiet window")
        self.quiet.setToolTip(
            "A watched file is uploaded once it has not changed for this long "
            "(recordings still being written wait)."
        )
        self.notifications = QCheckBox("Tell me when an upload finishes or fails")
        self.notifications.setAccessibleName("Notifications")
        self.start_at_login = QCheckBox("Start ReelDrop when I log in (tray icon only)")
        self.start_at_login.setAccessibleName("Start at login")
        self.start_at_login.toggled.connect(self._set_autostart)
        self.server = QLabel()
        self.server.setAccessibleName("Server address")
        self.change_server = QPushButton("Change…")
        self.change_server.setAccessibleName("Change server")
        self.change_server.clicked.connect(self.changeServerRequested)
        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("primaryButton")
        self.save_button.setAccessibleName("Save settings")
        self.save_button.clicked.connect(self.save)
        self.result = QLabel()
        self.result.setWordWrap(True)

        self.bandwidth.setMaximumWidth(220)
        self.concurrent.setMaximumWidth(90)
        self.quiet.setMaximumWidth(110)
        form = QFormLayout()
        form.setVerticalSpacing(12)
        form.setHorizontalSpacing(16)
        form.addRow("&Bandwidth limit:", self.bandwidth)
        form.addRow("&Concurrent uploads:", self.concurrent)
        self.quiet_label = QLabel("&Quiet window:")
        self.quiet_label.setBuddy(self.quiet)
        form.addRow(self.quiet_label, self.quiet)
        form.addRow("", self.notifications)
        form.addRow("", self.start_at_login)
        server_row = QHBoxLayout()
        server_row.addWidget(self.server, 1)
        server_row.addWidget(self.change_server)
        form.addRow("Server:", server_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.result, 1)
        buttons.addWidget(self.save_button)

        column = QWidget()
        column.setMaximumWidth(620)
        inner = QVBoxLayout(column)
        inner.addWidget(heading("Settings"))
        inner.addSpacing(12)
        inner.addLayout(form)
        inner.addSpacing(8)
        inner.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.addWidget(column)
        layout.addStretch(1)
        self._show_autostart()
        self.show_values({})

    # -- showing ------------------------------------------------------------------------------

    def show_values(self, values: dict[str, str]) -> None:
        self.values = dict(values)
        if values:
            self.loaded.emit(self.values)
        self.bandwidth.setText(values.get("bandwidth-limit", "0"))
        self.concurrent.setValue(int(values.get("concurrent-uploads", "2") or 2))
        has_quiet = "quiet-seconds" in values
        self.quiet.setVisible(has_quiet)
        self.quiet_label.setVisible(has_quiet)
        if has_quiet:
            self.quiet.setValue(int(float(values["quiet-seconds"] or 0)))
        self.notifications.setVisible("notifications" in values)
        self.notifications.setChecked(values.get("notifications", "on") == "on")
        enabled = bool(values)
        for widget in (self.bandwidth, self.concurrent, self.quiet, self.notifications):
            widget.setEnabled(enabled)
        self.save_button.setEnabled(enabled)

    def show_server(self, server_url: str | None) -> None:
        self.server.setText(server_url or "Not signed in")

    def load(self) -> None:
        run_task(lambda: self._bridge.client().settings(), self.show_values, self._failed)

    # -- saving -------------------------------------------------------------------------------

    def wanted(self) -> dict[str, str]:
        values = {
            "bandwidth-limit": self.bandwidth.text().strip() or "0",
            "concurrent-uploads": str(self.concurrent.value()),
        }
        if "quiet-seconds" in self.values:
            values["quiet-seconds"] = str(self.quiet.value())
        if "notifications" in self.values:
            values["notifications"] = "on" if self.notifications.isChecked() else "off"
        return {k: v for k, v in values.items() if v != self.values.get(k)}

    def save(self) -> None:
        changes = self.wanted()
        if not changes:
            self._say("Nothing to save.")
            return

        def call() -> dict[str, str]:
            client = self._bridge.client()
            answer: dict[str, str] = {}
            for key, value in changes.items():
                answer = client.set_setting(key, value)
            return answer

        self.save_button.setEnabled(False)
        run_task(call, self._saved, self._failed)

    def _saved(self, values: dict[str, str]) -> None:
        self.show_values(values)
        self._say("Saved. Running uploads use the new settings right away.")

    def _failed(self, exc: Exception) -> None:
        self.save_button.setEnabled(bool(self.values))
        self._say(describe(exc), error=True)

    def _say(self, text: str, error: bool = False) -> None:
        self.result.setObjectName("errorText" if error else "")
        self.result.setStyleSheet("")  # re-polish for the object name
        self.result.setText(text)

    # -- start at login -----------------------------------------------------------------------

    def _show_autostart(self) -> None:
        self._guard(lambda: self.start_at_login.setChecked(autostart.is_enabled()))

    def _set_autostart(self, on: bool) -> None:
        def change() -> None:
            if on:
                autostart.enable()
            else:
                autostart.disable()

        try:
            change()
        except Exception as exc:  # e.g. a read-only autostart folder: say so, keep the old state
            self._say(f"Could not change start at login: {exc}", error=True)
            self._show_autostart()

    def _guard(self, call: Callable[[], Any]) -> None:
        self.start_at_login.blockSignals(True)
        try:
            call()
        except Exception:
            self.start_at_login.setChecked(False)
        finally:
            self.start_at_login.blockSignals(False)
