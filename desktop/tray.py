"""The tray icon: idle / uploading n% / paused / needs attention, and a small menu.

Created only where the system has a tray; elsewhere the window and notifications do
everything and nothing is said about it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from desktop import icons
from desktop.summary import Summary

ICONS = {
    "idle": "tray-idle",
    "uploading": "tray-uploading",
    "paused": "tray-paused",
    "attention": "tray-attention",
}


class Tray(QObject):
    openRequested = Signal()
    pauseAllRequested = Signal()
    resumeAllRequested = Signal()
    quitRequested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.icon = QSystemTrayIcon(icons.icon("tray-idle"), self)
        self.menu = QMenu()
        self.status_action = QAction("ReelDrop", self.menu)
        self.status_action.setEnabled(False)
        self.menu.addAction(self.status_action)
        self.menu.addSeparator()
        self.open_action = self.menu.addAction("Open ReelDrop")
        self.pause_action = self.menu.addAction("Pause all uploads")
        self.resume_action = self.menu.addAction("Resume all uploads")
        self.menu.addSeparator()
        self.quit_action = self.menu.addAction("Quit ReelDrop…")
        self.open_action.triggered.connect(self.openRequested)
        self.pause_action.triggered.connect(self.pauseAllRequested)
        self.resume_action.triggered.connect(self.resumeAllRequested)
        self.quit_action.triggered.connect(self.quitRequested)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self.state = "idle"
        self.icon.setToolTip("ReelDrop")

    @staticmethod
    def available() -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    def show(self) -> None:
        self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    def update(self, summary: Summary) -> None:
        self.state = summary.state
        self.icon.setIcon(icons.icon(ICONS.get(summary.state, "tray-idle")))
        self.icon.setToolTip(f"ReelDrop — {summary.text}")
        self.status_action.setText(summary.text)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.openRequested.emit()
