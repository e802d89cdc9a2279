"""Watched folders: add (course, subfolders, after-upload action), remove, and each folder's
live state: watching, scanning, waiting for files still being written, or scanning every few
seconds because native watching is not possible here (with the reason and the fix)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.bridge import DaemonBridge
from desktop.catalog import CourseCatalog
from desktop.errors import describe
from desktop.tasks import run_task
from desktop.views.add_dialogs import WatchFolderDialog
from shared.control.schemas import FolderView

COLUMNS = ["Folder", "Course", "Subfolders", "After upload", "State"]


def describe_state(folder: FolderView) -> str:
    state = str(folder.state)
    if state == "watching" and folder.waiting:
        files = "file" if folder.waiting == 1 else "files"
        return f"Watching; waiting for {folder.waiting} {files} still being written"
    text = {
        "watching": "Watching",
        "scanning": "Scanning for videos…",
        "polling": "Scanning every few seconds",
        "missing": "Folder not found",
        "error": "Not watched",
    }.get(state, state.capitalize())
    return f"{text}: {folder.error}" if folder.error else text


class FoldersPage(QWidget):
    def __init__(
        self, bridge: DaemonBridge, catalog: CourseCatalog, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._bridge, self._catalog = bridge, catalog
        self.folders: list[FolderView] = []
        self.pending_dialog: WatchFolderDialog | None = None
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setAccessibleName("Watched folders")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in ((1, 140), (2, 90), (3, 150), (4, 340)):
            header.resizeSection(column, width)
        self.table.itemSelectionChanged.connect(self._update_enabled)

        self.add_button = QPushButton("Watch a folder…")
        self.add_button.setObjectName("primaryButton")
        self.add_button.setAccessibleName("Watch a folder")
        self.add_button.clicked.connect(self.choose_folder)
        self.remove_button = QPushButton("Stop watching")
        self.remove_button.setAccessibleName("Stop watching")
        self.remove_button.clicked.connect(self.remove_selected)
        self.message = QLabel(
            "New videos in a watched folder are uploaded once their recording is finished."
        )
        self.message.setObjectName("emptyHint")
        self.message.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        self._reload_timer = QTimer(self, singleShot=True, interval=500)
        self._reload_timer.timeout.connect(self.load)
        bridge.folderChanged.connect(self._folder_changed)
        bridge.jobChanged.connect(self._job_changed)
        self._update_enabled()

    # -- showing ------------------------------------------------------------------------------

    def load(self) -> None:
        run_task(lambda: self._bridge.client().watch_list(), self.show_folders, self._failed)

    def show_folders(self, folders: list[FolderView]) -> None:
        self.folders = list(folders)
        names = self._catalog.names()
        self.table.setRowCount(len(self.folders))
        for row, folder in enumerate(self.folders):
            cells = [
                folder.path,
                names.get(folder.course_id or "", folder.course_id or "No course"),
                "Yes" if folder.recursive else "No",
                "Move to “Uploaded”" if folder.after_upload == "move" else "Keep in place",
                describe_state(folder),
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()
        for row in range(self.table.rowCount()):  # air around wrapped state lines
            self.table.setRowHeight(row, max(36, self.table.rowHeight(row) + 14))
        self._update_enabled()

    def state_of(self, path: str) -> str | None:
        for row, folder in enumerate(self.folders):
            if folder.path == path:
                item = self.table.item(row, 4)
                return item.text() if item else None
        return None

    def _folder_changed(self, data: dict[str, Any]) -> None:
        changed = FolderView.model_validate(data)
        folders = [changed if f.path == changed.path else f for f in self.folders]
        if changed.path not in {f.path for f in self.folders}:
            folders.append(changed)
        self.show_folders(folders)
        self._reload_timer.start()  # the waiting count comes with the list

    def _job_changed(self, job: Any) -> None:
        if getattr(job, "watch_folder", None):
            self._reload_timer.start()

    def _failed(self, exc: Exception) -> None:
        self.message.setText(describe(exc))

    def _update_enabled(self) -> None:
        self.remove_button.setEnabled(bool(self.table.selectedItems()))

    # -- changing -----------------------------------------------------------------------------

    def choose_folder(self) -> None:
        name = QFileDialog.getExistingDirectory(self, "Watch a folder")
        if name:
            self.ask(Path(name))

    def ask(self, folder: Path) -> None:
        dialog = WatchFolderDialog(folder, self._catalog.courses, self)
        dialog.accepted.connect(lambda: self._add(dialog))
        self.pending_dialog = dialog
        dialog.open()

    def _add(self, dialog: WatchFolderDialog) -> None:
        self.pending_dialog = None
        path = str(dialog.folder.expanduser().resolve())
        run_task(
            lambda: self._bridge.client().watch_add(
                path,
                course_id=dialog.course_id(),
                recursive=dialog.recursive.isChecked(),
                after_upload="move" if dialog.move_after.isChecked() else "keep",
            ),
            lambda _view: self.load(),
            self._failed,
        )

    def remove_selected(self) -> None:
        rows = {index.row() for index in self.table.selectedIndexes()}
        paths = [self.folders[row].path for row in sorted(rows)]

        def call() -> None:
            client = self._bridge.client()
            for path in paths:
                client.watch_remove(path)

        run_task(call, lambda _none: self.load(), self._failed)
