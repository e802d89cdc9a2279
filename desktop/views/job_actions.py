"""What the uploads table can do with the selected jobs: one QAction each, with shortcuts,
enabled only when at least one selected job is in a state where the action applies."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence

from desktop import job_display
from desktop.bridge import DaemonBridge
from desktop.errors import describe
from desktop.tasks import run_task
from shared.control.schemas import JobView

DAEMON_ACTIONS = ("pause", "resume", "cancel", "retry")


class JobActions(QObject):
    """Holds the QActions; ``selected`` is a callable returning the selected jobs."""

    message = Signal(str)  # a one-line result or error for the status bar

    def __init__(
        self, bridge: DaemonBridge, selected: Callable[[], list[JobView]], parent: QObject
    ) -> None:
        super().__init__(parent)
        self._bridge, self._selected = bridge, selected
        self.pause = self._action("&Pause", "Ctrl+P", lambda: self._act("pause"))
        self.resume = self._action("&Resume", "Ctrl+R", lambda: self._act("resume"))
        self.cancel = self._action("&Cancel upload", "Ctrl+Backspace", lambda: self._act("cancel"))
        self.retry = self._action("Re&try", "Ctrl+T", lambda: self._act("retry"))
        self.remove = self._action(
            "Remove from &list", QKeySequence.StandardKey.Delete, self._remove
        )
        self.reveal = self._action("Show in &folder", "Ctrl+Shift+O", self._reveal)
        self.copy_link = self._action("&Copy link", QKeySequence.StandardKey.Copy, self._copy_link)
        self.clear_finished = self._action("Clear &finished", "Ctrl+Shift+Del", self._clear)
        self.clear_finished.setToolTip("Remove done and already-uploaded videos from the list")
        self.update_enabled()

    def _action(self, text: str, shortcut: object, slot: Callable[[], None]) -> QAction:
        action = QAction(text, self.parent())
        action.setShortcut(QKeySequence(shortcut))  # type: ignore[call-overload]
        action.triggered.connect(slot)
        return action

    def all(self) -> list[QAction]:
        return [
            self.pause,
            self.resume,
            self.cancel,
            self.retry,
            self.remove,
            self.reveal,
            self.copy_link,
        ]

    def update_enabled(self) -> None:
        jobs = self._selected()
        for name in DAEMON_ACTIONS:
            getattr(self, name).setEnabled(any(job_display.allowed(name, j) for j in jobs))
        self.remove.setEnabled(any(job_display.allowed("remove", j) for j in jobs))
        self.reveal.setEnabled(len(jobs) >= 1)
        self.copy_link.setEnabled(any(j.media_file_id for j in jobs))

    # -- doing ---------------------------------------------------------------------------------

    def _act(self, action: str) -> None:
        targets = [j.id for j in self._selected() if job_display.allowed(action, j)]
        if not targets:
            return

        def call() -> int:
            client = self._bridge.client()
            for job_id in targets:
                client.act(action, job_id)
            return len(targets)

        run_task(call, None, self._failed)

    def _remove(self) -> None:
        targets = [j.id for j in self._selected() if job_display.allowed("remove", j)]

        def call() -> None:
            client = self._bridge.client()
            for job_id in targets:
                client.remove_job(job_id)

        if targets:
            run_task(call, None, self._failed)

    def _clear(self) -> None:
        run_task(
            lambda: self._bridge.client().clear(),
            lambda n: self.message.emit(f"Removed {n} finished upload{'s' if n != 1 else ''}."),
            self._failed,
        )

    def _reveal(self) -> None:
        folders = {str(Path(j.path).parent) for j in self._selected()}
        for folder in sorted(folders)[:5]:
            QDesktopServices.openUrl(QUrl.fromLocalFile(folder))

    def _copy_link(self) -> None:
        jobs = [j for j in self._selected() if j.media_file_id]
        if not jobs:
            return
        run_task(lambda: [cdn_link(self._bridge, j) for j in jobs], self._copied, self._failed)

    def _copied(self, links: list[str | None]) -> None:
        found = [link for link in links if link]
        if not found:
            self.message.emit("The playback link is not ready yet.")
            return
        QGuiApplication.clipboard().setText("\n".join(found))
        self.message.emit("Link copied." if len(found) == 1 else f"{len(found)} links copied.")

    def _failed(self, exc: Exception) -> None:
        self.message.emit(describe(exc))


def cdn_link(bridge: DaemonBridge, job: JobView) -> str | None:
    """The playback (CDN) link of a finished job: from the job itself, or asked of the server."""
    link = job_display.cdn_url(job)
    if link or not job.media_file_id:
        return link
    link = bridge.client().media_file(job.media_file_id).get("cdnUrl")
    return str(link) if link else None
