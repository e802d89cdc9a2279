"""Desktop notifications when an upload finishes (with "Copy link") or fails.

``desktop-notifier`` speaks each system's native service (D-Bus on Linux, the notification
centre on macOS and Windows), with buttons. Where that service is missing it falls back to
the tray icon's balloon, and with no tray either the window's status bar says it.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QSystemTrayIcon

log = logging.getLogger(__name__)


def native_service_present() -> bool:
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DBUS_SESSION_BUS_ADDRESS"))
    return sys.platform in ("darwin", "win32")


class Notifier(QObject):
    shown = Signal(str, str)  # title, message: what was shown, wherever it went
    linkRequested = Signal(str)  # "Copy link" pressed on a native notification

    def __init__(
        self,
        tray: QSystemTrayIcon | None,
        fallback: Callable[[str], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.enabled = True
        self._tray, self._fallback = tray, fallback
        self._native: Any = None
        if native_service_present():
            try:
                from desktop_notifier import DesktopNotifierSync

                self._native = DesktopNotifierSync(app_name="ReelDrop")
            except Exception as exc:  # no backend on this system: use the fallbacks
                log.info("native notifications unavailable: %s", exc)

    @property
    def channel(self) -> str:
        if self._native is not None:
            return "native"
        return "tray" if self._tray is not None else "window"

    def notify(self, title: str, message: str, link: str | None = None) -> None:
        if not self.enabled:
            return
        self.shown.emit(title, message)
        if self._native is not None:
            threading.Thread(
                target=self._send_native, args=(title, message, link), daemon=True
            ).start()
        elif self._tray is not None:
            self._tray.showMessage(title, message, QSystemTrayIcon.MessageIcon.Information, 8000)
        elif self._fallback is not None:
            self._fallback(f"{title}: {message}")

    def _send_native(self, title: str, message: str, link: str | None) -> None:
        try:
            from desktop_notifier import Button

            buttons = (
                [Button(title="Copy link", on_pressed=lambda: self.linkRequested.emit(link))]
                if link
                else []
            )
            self._native.send(title=title, message=message, buttons=buttons)
        except Exception as exc:
            log.info("native notification failed: %s", exc)
