"""The library table's model: one page of the user's media as the server lists it."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QIcon

from desktop import icons, units
from desktop.thumbnails import ThumbnailCache

Index = QModelIndex | QPersistentModelIndex
ITEM_ROLE = Qt.ItemDataRole.UserRole + 10
SORT_ROLE = Qt.ItemDataRole.UserRole + 11

STATUS_LABELS = {
    "pending": "Pending",
    "processing": "Processing",
    "ready": "Ready",
    "failed": "Failed",
}


class LibraryColumn(IntEnum):
    THUMBNAIL = 0
    NAME = 1
    DURATION = 2
    RESOLUTION = 3
    QUALITY = 4
    SIZE = 5
    STATUS = 6
    ADDED = 7


HEADERS = {
    LibraryColumn.THUMBNAIL: "",
    LibraryColumn.NAME: "Name",
    LibraryColumn.DURATION: "Duration",
    LibraryColumn.RESOLUTION: "Resolution",
    LibraryColumn.QUALITY: "Quality",
    LibraryColumn.SIZE: "Size",
    LibraryColumn.STATUS: "Status",
    LibraryColumn.ADDED: "Added",
}


class LibraryModel(QAbstractTableModel):
    """Items are the server's media dicts (camelCase), replaced a page at a time."""

    def __init__(self, thumbnails: ThumbnailCache | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._items: list[dict[str, Any]] = []
        self._rows: dict[str, int] = {}
        self.thumbnails = thumbnails or ThumbnailCache()

    def set_items(self, items: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self._rows = {str(item["id"]): row for row, item in enumerate(self._items)}
        self.endResetModel()

    def update_item(self, item: dict[str, Any]) -> None:
        row = self._rows.get(str(item["id"]))
        if row is not None:
            self._items[row] = item
            self.row_changed(row)

    def remove_item(self, media_id: str) -> None:
        row = self._rows.get(media_id)
        if row is None:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._items[row]
        self._rows = {str(item["id"]): r for r, item in enumerate(self._items)}
        self.endRemoveRows()

    def row_changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(LibraryColumn) - 1), [])

    def row_of(self, media_id: str) -> int | None:
        return self._rows.get(media_id)

    def item_at(self, row: int) -> dict[str, Any]:
        return self._items[row]

    def items(self) -> list[dict[str, Any]]:
        return list(self._items)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(LibraryColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[LibraryColumn(section)]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        column = LibraryColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return display(item, column)
        if role == ITEM_ROLE:
            return item
        if role == SORT_ROLE:
            return sort_key(item, column)
        if role == Qt.ItemDataRole.DecorationRole and column == LibraryColumn.THUMBNAIL:
            return self._thumbnail(item)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == LibraryColumn.STATUS and item.get("processingError"):
                return str(item["processingError"])
            if column == LibraryColumn.NAME:
                return item.get("cdnUrl") or item.get("filename")
        return None

    def _thumbnail(self, item: dict[str, Any]) -> QIcon | None:
        url = item.get("thumbnailUrl")
        if url and self.thumbnails.known(str(url)):
            found = self.thumbnails.icon(str(url))
            if found is not None:
                return found
        return icons.icon("video-placeholder")


def display(item: dict[str, Any], column: LibraryColumn) -> str:
    if column == LibraryColumn.NAME:
        return str(item.get("filename", ""))
    if column == LibraryColumn.DURATION:
        return units.clock(item.get("durationSeconds"))
    if column == LibraryColumn.RESOLUTION:
        return units.resolution(item.get("width"), item.get("height"))
    if column == LibraryColumn.QUALITY:
        return str(item.get("videoQuality") or "")
    if column == LibraryColumn.SIZE:
        return units.size(item.get("fileSize"))
    if column == LibraryColumn.STATUS:
        status = str(item.get("status", ""))
        return STATUS_LABELS.get(status, status.capitalize())
    if column == LibraryColumn.ADDED:
        return str(item.get("createdAt", ""))[:10]
    return ""


def sort_key(item: dict[str, Any], column: LibraryColumn) -> Any:
    if column == LibraryColumn.DURATION:
        return float(item.get("durationSeconds") or 0)
    if column == LibraryColumn.SIZE:
        return int(item.get("fileSize") or 0)
    if column == LibraryColumn.RESOLUTION:
        return int(item.get("width") or 0) * int(item.get("height") or 0)
    if column in (LibraryColumn.ADDED, LibraryColumn.THUMBNAIL):
        return str(item.get("createdAt", ""))
    return display(item, column).casefold()
