"""Small thumbnail icons, loaded once per file and kept in a bounded cache."""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QImage, QPixmap

THUMB_SIZE = QSize(64, 36)


class ThumbnailCache:
    """Path (or URL) -> icon. A missing or unreadable image is remembered as ``None``."""

    def __init__(self, capacity: int = 512) -> None:
        self._capacity = capacity
        self._icons: OrderedDict[str, QIcon | None] = OrderedDict()

    def icon(self, path: str) -> QIcon | None:
        if path in self._icons:
            self._icons.move_to_end(path)
            return self._icons[path]
        image = QImage(path)
        return self._store(path, image)

    def put_bytes(self, key: str, data: bytes) -> QIcon | None:
        image = QImage()
        image.loadFromData(data)
        return self._store(key, image)

    def known(self, key: str) -> bool:
        return key in self._icons

    def _store(self, key: str, image: QImage) -> QIcon | None:
        icon = None
        if not image.isNull():
            scaled = image.scaled(
                THUMB_SIZE * 2,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            icon = QIcon(QPixmap.fromImage(scaled))
        self._icons[key] = icon
        if len(self._icons) > self._capacity:
            self._icons.popitem(last=False)
        return icon
