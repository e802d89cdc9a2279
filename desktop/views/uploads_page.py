"""The uploads table: a row per job, a toolbar and a context menu for the selected rows."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QStackedLayout,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.bridge import DaemonBridge
from desktop.jobs_model import JOB_ROLE, SORT_ROLE, Column, JobsModel
from desktop.thumbnails import THUMB_SIZE
from desktop.views.job_actions import JobActions
from desktop.views.progress_delegate import ProgressDelegate
from desktop.views.tables import sorted_proxy, thumbnail_table
from shared.control.schemas import JobView

WIDTHS = {
    Column.THUMBNAIL: THUMB_SIZE.width() + 12,
    Column.NAME: 220,
    Column.SIZE: 75,
    Column.COURSE: 115,
    Column.STATE: 95,
    Column.PROGRESS: 120,
    Column.SPEED: 80,
    Column.ETA: 70,
    Column.REASON: 200,
}


class UploadsPage(QWidget):
    addRequested = Signal()

    def __init__(self, bridge: DaemonBridge, model: JobsModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self.proxy = sorted_proxy(model, SORT_ROLE)
        self.table = thumbnail_table("Uploads", self.proxy, WIDTHS, Column.THUMBNAIL, True)
        self.table.setObjectName("uploadsTable")
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        # The name and the reason share the room left: both are what a person reads first.
        header.setSectionResizeMode(Column.NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(Column.REASON, QHeaderView.ResizeMode.Stretch)
        self.table.setItemDelegateForColumn(Column.PROGRESS, ProgressDelegate(self.table))
        self.table.customContextMenuRequested.connect(self._context_menu)

        self.actions_ = JobActions(bridge, self.selected_jobs, self)
        for action in self.actions_.all():
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.table.addAction(action)
        self.table.selectionModel().selectionChanged.connect(self.actions_.update_enabled)
        model.dataChanged.connect(self.actions_.update_enabled)
        self.proxy.modelReset.connect(self.actions_.update_enabled)
        self.proxy.rowsRemoved.connect(self.actions_.update_enabled)
        model.rowsInserted.connect(self._update_empty)
        model.rowsRemoved.connect(self._update_empty)
        model.modelReset.connect(self._update_empty)

        self.add_button = QPushButton("Add videos…")
        self.add_button.setObjectName("primaryButton")
        self.add_button.setAccessibleName("Add videos")
        self.add_button.setToolTip("Choose videos to upload (Ctrl+O)")
        self.add_button.clicked.connect(self.addRequested)

        toolbar = QHBoxLayout()
        toolbar.addWidget(self.add_button)
        toolbar.addSpacing(12)
        for action in self.actions_.all():
            button = QToolButton()
            button.setDefaultAction(action)
            button.setAccessibleName(action.text().replace("&", ""))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            toolbar.addWidget(button)
        toolbar.addStretch(1)
        clear = QToolButton()
        clear.setDefaultAction(self.actions_.clear_finished)
        clear.setAccessibleName("Clear finished")
        toolbar.addWidget(clear)

        self.empty_hint = QLabel(
            "<p style='font-size:15pt'>Drop videos or folders here</p>"
            "<p>or press <b>Add videos…</b> to choose them.<br>"
            "Each one is checked, uploaded and added to your library.</p>"
        )
        self.empty_hint.setObjectName("emptyHint")
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedLayout()
        self.stack.addWidget(self.empty_hint)
        self.stack.addWidget(self.table)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addLayout(toolbar)
        layout.addLayout(self.stack, 1)
        self._update_empty()

    def selected_jobs(self) -> list[JobView]:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return [index.data(JOB_ROLE) for index in rows]

    def select_job(self, job_id: str) -> bool:
        row = self.model.row_of(job_id)
        if row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.selectRow(index.row())
        return True

    def _update_empty(self, *_args: object) -> None:
        self.stack.setCurrentIndex(1 if self.model.rowCount() else 0)

    def _context_menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        for action in self.actions_.all():
            if action.isVisible():
                menu.addAction(action)
        menu.popup(self.table.viewport().mapToGlobal(pos))
