"""The signed-in user's courses (and their videos), fetched once per sign-in and shared by
the uploads table, the course pickers, watched folders and the library's attach dialog."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop.bridge import DaemonBridge
from desktop.tasks import run_task


class CourseCatalog(QObject):
    changed = Signal()

    def __init__(self, bridge: DaemonBridge, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self.courses: list[dict[str, Any]] = []

    def refresh(self) -> None:
        run_task(lambda: self._bridge.client().courses(), self._set, lambda _exc: self._set([]))

    def clear(self) -> None:
        self._set([])

    def names(self) -> dict[str, str]:
        return {str(c["id"]): str(c.get("title", c["id"])) for c in self.courses}

    def videos(self) -> list[tuple[str, str]]:
        """(video id, "Course — Video") for every video of every course."""
        found = []
        for course in self.courses:
            for video in course.get("videos", []):
                found.append((str(video["id"]), f"{course.get('title')} — {video.get('title')}"))
        return found

    def _set(self, courses: Any) -> None:
        self.courses = list(courses or [])
        self.changed.emit()
