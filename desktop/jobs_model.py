"""The uploads table's model: one row per daemon job, updated row by row from events.

A job event touches one row (``dataChanged`` for that row, or one insert/remove); only a fresh
snapshot after (re)connecting resets the model, so 10,000 rows stay smooth.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QIcon

from desktop import icons, job_display, units
from desktop.thumbnails import ThumbnailCache
from shared.control.schemas import JobView

Index = QModelIndex | QPersistentModelIndex
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
JOB_ROLE = Qt.ItemDataRole.UserRole + 2
PROGRESS_ROLE = Qt.ItemDataRole.UserRole + 3


class Column(IntEnum):
    THUMBNAIL = 0
    NAME = 1
    SIZE = 2
    COURSE = 3
    STATE = 4
    PROGRESS = 5
    SPEED = 6
    ETA = 7
    REASON = 8


HEADERS = {
    Column.THUMBNAIL: "",
    Column.NAME: "Name",
    Column.SIZE: "Size",
    Column.COURSE: "Course",
    Column.STATE: "State",
    Column.PROGRESS: "Progress",
    Column.SPEED: "Speed",
    Column.ETA: "Time left",
    Column.REASON: "Reason",
}


class JobsModel(QAbstractTableModel):
    def __init__(self, thumbnails: ThumbnailCache | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._jobs: list[JobView] = []
        self._rows: dict[str, int] = {}
        self._courses: dict[str, str] = {}
        self._thumbnails = thumbnails or ThumbnailCache()

    # -- changes ------------------------------------------------------------------------------

    def reset_jobs(self, jobs: list[JobView]) -> None:
        """A whole snapshot (after connecting): the only time the model resets."""
        self.beginResetModel()
        self._jobs = list(jobs)
        self._rows = {job.id: row for row, job in enumerate(self._jobs)}
        self.endResetModel()

    def upsert(self, job: JobView) -> None:
        row = self._rows.get(job.id)
        if row is None:
            row = len(self._jobs)
            self.beginInsertRows(QModelIndex(), row, row)
            self._jobs.append(job)
            self._rows[job.id] = row
            self.endInsertRows()
            return
        self._jobs[row] = job
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(Column) - 1), [])

    def remove(self, job_id: str) -> None:
        row = self._rows.get(job_id)
        if row is None:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._jobs[row]
        del self._rows[job_id]
        for later in self._jobs[row:]:
            self._rows[later.id] -= 1
        self.endRemoveRows()

    def set_course_names(self, names: dict[str, str]) -> None:
        self._courses = dict(names)
        if self._jobs:
            column = Column.COURSE
            self.dataChanged.emit(self.index(0, column), self.index(len(self._jobs) - 1, column))

    # -- reading ------------------------------------------------------------------------------

    def job_at(self, row: int) -> JobView:
        return self._jobs[row]

    def row_of(self, job_id: str) -> int | None:
        return self._rows.get(job_id)

    def jobs(self) -> list[JobView]:
        return list(self._jobs)

    def course_name(self, course_id: str | None) -> str:
        if not course_id:
            return ""
        return self._courses.get(course_id, course_id)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._jobs)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[Column(section)]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._jobs):
            return None
        job = self._jobs[index.row()]
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(job, column)
        if role == SORT_ROLE:
            return self._sort_key(job, column)
        if role == JOB_ROLE:
            return job
        if role == PROGRESS_ROLE:
            return job_display.progress(job)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(job, column)
        if role == Qt.ItemDataRole.DecorationRole and column == Column.THUMBNAIL:
            return self._thumbnail(job)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self._display(job, column) or job_display.state_label(job)
        return None

    def _display(self, job: JobView, column: Column) -> str:
        state = str(job.state)
        if column == Column.NAME:
            return job.filename
        if column == Column.SIZE:
            return units.size(job.total_bytes) if job.total_bytes else ""
        if column == Column.COURSE:
            return self.course_name(job.course_id)
        if column == Column.STATE:
            return job_display.state_label(job)
        if column == Column.PROGRESS:
            fraction = job_display.progress(job)
            return "" if fraction is None else f"{fraction * 100:.0f}%"
        if column == Column.SPEED:
            return units.rate(job.speed_bps) if state == "uploading" else ""
        if column == Column.ETA:
            return units.eta(job.eta_seconds) if state == "uploading" else ""
        if column == Column.REASON:
            return job_display.reason(job)
        return ""

    def _sort_key(self, job: JobView, column: Column) -> Any:
        if column == Column.SIZE:
            return job.total_bytes
        if column == Column.PROGRESS:
            return job_display.progress(job) or 0.0
        if column == Column.SPEED:
            return job.speed_bps or 0.0
        if column == Column.ETA:
            return job.eta_seconds if job.eta_seconds is not None else -1
        if column == Column.THUMBNAIL:
            return job.created_at.timestamp()
        return self._display(job, column).casefold()

    def _tooltip(self, job: JobView, column: Column) -> str | None:
        if column in (Column.NAME, Column.THUMBNAIL):
            return job.path
        if column in (Column.REASON, Column.STATE):
            return job_display.reason(job) or None
        return None

    def _thumbnail(self, job: JobView) -> QIcon | None:
        path = job_display.thumbnail_path(job)
        found = self._thumbnails.icon(path) if path else None
        return found or icons.icon("video-placeholder")
