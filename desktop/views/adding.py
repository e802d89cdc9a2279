"""Adding videos from the window: dropped or chosen files and folders, with their questions.

Dialogs open window-modal without blocking (``open()``), so the event loop keeps running
and the current question is reachable as ``pending`` (tests answer it like a user would).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from desktop.bridge import DaemonBridge
from desktop.catalog import CourseCatalog
from desktop.errors import describe
from desktop.tasks import run_task
from desktop.views.add_dialogs import CoursePickerDialog, FolderChoiceDialog

VIDEO_FILTER = "Videos (*.mp4 *.mov *.webm *.avi *.mkv *.m4v);;All files (*)"


def local_paths(urls: list[QUrl]) -> list[Path]:
    return [Path(url.toLocalFile()) for url in urls if url.isLocalFile() and url.toLocalFile()]


class AddController(QObject):
    message = Signal(str)
    added = Signal(list)  # the JobViews the daemon queued

    def __init__(self, bridge: DaemonBridge, catalog: CourseCatalog, window: QWidget) -> None:
        super().__init__(window)
        self._bridge, self._catalog, self._window = bridge, catalog, window
        self.pending: QDialog | None = None
        self._queue: list[Path] = []

    def choose_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self._window, "Add videos", "", VIDEO_FILTER)
        if names:
            self.add_paths([Path(n) for n in names])

    def add_paths(self, paths: list[Path]) -> None:
        """Folders are asked about one at a time; the files then share one course question."""
        files = [p for p in paths if not p.is_dir()]
        folders = [p for p in paths if p.is_dir()]
        self._queue = folders
        if files:
            self._ask_course(files)
        else:
            self._next_folder()

    def _ask_course(self, files: list[Path]) -> None:
        if not self._catalog.courses:
            self._upload(files, None)
            self._next_folder()
            return
        dialog = CoursePickerDialog(files, self._catalog.courses, self._window)
        dialog.finished.connect(lambda result: self._course_chosen(dialog, result))
        self._open(dialog)

    def _course_chosen(self, dialog: CoursePickerDialog, result: int) -> None:
        self.pending = None
        if result == QDialog.DialogCode.Accepted:
            self._upload(dialog.files, dialog.course_id())
        self._next_folder()

    def _next_folder(self) -> None:
        if not self._queue:
            return
        folder = self._queue.pop(0)
        dialog = FolderChoiceDialog(folder, self._catalog.courses, True, self._window)
        dialog.finished.connect(lambda result: self._folder_chosen(dialog, result))
        self._open(dialog)

    def _folder_chosen(self, dialog: FolderChoiceDialog, result: int) -> None:
        self.pending = None
        if result == FolderChoiceDialog.ONCE:
            self._upload([dialog.folder], dialog.course_id())
        elif result == FolderChoiceDialog.WATCH:
            self._watch(dialog.folder, dialog.course_id(), dialog.move_after.isChecked())
        self._next_folder()

    def _open(self, dialog: QDialog) -> None:
        self.pending = dialog
        dialog.open()

    def _upload(self, paths: list[Path], course_id: str | None) -> None:
        given = [str(p.expanduser().resolve()) for p in paths]

        def call() -> list[object]:
            return list(self._bridge.client().add(given, course_id, source="window"))

        run_task(call, self._queued, self._failed)

    def _queued(self, jobs: list[object]) -> None:
        if not jobs:
            self.message.emit("No videos found in what was dropped.")
            return
        self.added.emit(jobs)
        self.message.emit(f"{len(jobs)} video{'s' if len(jobs) != 1 else ''} queued.")

    def _watch(self, folder: Path, course_id: str | None, move: bool) -> None:
        path = str(folder.expanduser().resolve())
        after = "move" if move else "keep"
        run_task(
            lambda: self._bridge.client().watch_add(path, course_id=course_id, after_upload=after),
            lambda _view: self.message.emit(f"Watching {folder.name} for new videos."),
            self._failed,
        )

    def _failed(self, exc: Exception) -> None:
        self.message.emit(describe(exc))
