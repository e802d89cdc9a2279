"""The library: the user's media on the server, a page at a time, filtered by type and
status, with the playback link, delete (soft, after asking) and attach to a course video."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtNetwork import QNetworkAccessManager, QNetworkReply, QNetworkRequest
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.bridge import DaemonBridge
from desktop.catalog import CourseCatalog
from desktop.errors import describe
from desktop.library_model import ITEM_ROLE, SORT_ROLE, LibraryColumn, LibraryModel
from desktop.tasks import run_task
from desktop.thumbnails import THUMB_SIZE
from desktop.views.attach_dialog import AttachDialog
from desktop.views.tables import sorted_proxy, thumbnail_table

PAGE_SIZE = 50
TYPES = [("All types", None), ("Videos", "video")]
STATUSES = [
    ("Any status", None),
    ("Ready", "ready"),
    ("Processing", "processing"),
    ("Pending", "pending"),
    ("Failed", "failed"),
]


class LibraryPage(QWidget):
    def __init__(
        self, bridge: DaemonBridge, catalog: CourseCatalog, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._bridge, self._catalog = bridge, catalog
        self.page, self.total, self.loading = 1, 0, False
        self.pending_dialog: QWidget | None = None
        self.model = LibraryModel(parent=self)
        self.proxy = sorted_proxy(self.model, SORT_ROLE)
        self._network = QNetworkAccessManager(self)
        self._network.finished.connect(self._thumbnail_arrived)

        self.type_filter = self._combo("Type filter", TYPES)
        self.status_filter = self._combo("Status filter", STATUSES)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setShortcut(QKeySequence.StandardKey.Refresh)
        self.refresh_button.setAccessibleName("Refresh library")
        self.refresh_button.clicked.connect(self.reload)
        self.previous_button = QPushButton("Previous")
        self.previous_button.setAccessibleName("Previous page")
        self.previous_button.clicked.connect(lambda: self.load(self.page - 1))
        self.next_button = QPushButton("Next")
        self.next_button.setAccessibleName("Next page")
        self.next_button.clicked.connect(lambda: self.load(self.page + 1))
        self.page_label = QLabel()
        self.message = QLabel()
        self.message.setObjectName("emptyHint")

        widths = {LibraryColumn.THUMBNAIL: THUMB_SIZE.width() + 12, LibraryColumn.NAME: 260}
        self.table = thumbnail_table("Library", self.proxy, widths, LibraryColumn.ADDED, False)
        self.table.doubleClicked.connect(lambda _i: self.open_link())
        self.table.customContextMenuRequested.connect(self._context_menu)

        self.open_action = self._action("&Open link", "Return", self.open_link)
        self.copy_action = self._action("&Copy link", QKeySequence.StandardKey.Copy, self.copy_link)
        self.attach_action = self._action("&Attach to course video…", "Ctrl+L", self.ask_attach)
        self.delete_action = self._action(
            "&Delete…", QKeySequence.StandardKey.Delete, self.ask_delete
        )
        self.table.selectionModel().selectionChanged.connect(self._update_enabled)

        filters = QHBoxLayout()
        filters.addWidget(self.type_filter)
        filters.addWidget(self.status_filter)
        filters.addWidget(self.refresh_button)
        filters.addSpacing(12)
        for action in (self.open_action, self.copy_action, self.attach_action, self.delete_action):
            button = QToolButton()
            button.setDefaultAction(action)
            button.setAccessibleName(action.text().replace("&", "").rstrip("…"))
            filters.addWidget(button)
        filters.addStretch(1)
        pager = QHBoxLayout()
        pager.addWidget(self.message, 1)
        pager.addWidget(self.previous_button)
        pager.addWidget(self.page_label)
        pager.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(pager)
        self._update_pager()
        self._update_enabled()

    def _combo(self, name: str, choices: list[tuple[str, str | None]]) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        for label, value in choices:
            combo.addItem(label, value)
        combo.currentIndexChanged.connect(lambda _i: self.load(1))
        return combo

    def _action(self, text: str, shortcut: object, slot: Any) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))  # type: ignore[call-overload]
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.table.addAction(action)
        return action

    # -- loading ------------------------------------------------------------------------------

    def reload(self) -> None:
        self.load(self.page)

    def load(self, page: int) -> None:
        page = max(1, page)
        kind, status = self.type_filter.currentData(), self.status_filter.currentData()
        self.loading = True
        self.message.setText("Loading…")
        run_task(
            lambda: self._bridge.client().media(
                page=page, limit=PAGE_SIZE, type=kind, status=status
            ),
            lambda answer: self._loaded(page, answer),
            self._failed,
        )

    def _loaded(self, page: int, answer: dict[str, Any]) -> None:
        self.loading = False
        self.page, self.total = page, int(answer.get("total", 0))
        items = list(answer.get("items", []))
        self.model.set_items(items)
        self.message.setText("" if items else "No videos here yet. Uploaded videos appear here.")
        self._update_pager()
        for item in items:
            url = item.get("thumbnailUrl")
            if url and not self.model.thumbnails.known(str(url)):
                request = QNetworkRequest(QUrl(str(url)))
                request.setAttribute(QNetworkRequest.Attribute.User, str(item["id"]))
                self._network.get(request)

    def _failed(self, exc: Exception) -> None:
        self.loading = False
        self.model.set_items([])
        self.message.setText(describe(exc))
        self._update_pager()

    def _thumbnail_arrived(self, reply: QNetworkReply) -> None:
        url = reply.request().url().toString()
        media_id = reply.request().attribute(QNetworkRequest.Attribute.User)
        if reply.error() == QNetworkReply.NetworkError.NoError:
            self.model.thumbnails.put_bytes(url, bytes(reply.readAll().data()))
            row = self.model.row_of(str(media_id))
            if row is not None:
                self.model.row_changed(row)
        reply.deleteLater()

    def _update_pager(self) -> None:
        pages = max(1, -(-self.total // PAGE_SIZE))
        self.page_label.setText(f"Page {self.page} of {pages}")
        self.previous_button.setEnabled(self.page > 1)
        self.next_button.setEnabled(self.page < pages)

    # -- actions ------------------------------------------------------------------------------

    def selected(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(ITEM_ROLE) if rows else None

    def select(self, media_id: str) -> bool:
        row = self.model.row_of(media_id)
        if row is None:
            return False
        self.table.selectRow(self.proxy.mapFromSource(self.model.index(row, 0)).row())
        return True

    def _update_enabled(self, *_args: object) -> None:
        item = self.selected()
        has_link = bool(item and item.get("cdnUrl"))
        self.open_action.setEnabled(has_link)
        self.copy_action.setEnabled(has_link)
        self.attach_action.setEnabled(item is not None)
        self.delete_action.setEnabled(item is not None)

    def open_link(self) -> None:
        item = self.selected()
        if item and item.get("cdnUrl"):
            QDesktopServices.openUrl(QUrl(str(item["cdnUrl"])))

    def copy_link(self) -> None:
        item = self.selected()
        if item and item.get("cdnUrl"):
            QGuiApplication.clipboard().setText(str(item["cdnUrl"]))
            self.message.setText("Link copied.")

    def ask_delete(self) -> None:
        item = self.selected()
        if item is None:
            return
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Delete video")
        box.setText(f"Delete “{item.get('filename')}” from your library?")
        box.setInformativeText(
            "It stops playing in courses that use it. The file is kept on the server for a "
            "while, so an administrator can restore it."
        )
        delete = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(
            lambda _r: self._delete(str(item["id"])) if box.clickedButton() is delete else None
        )
        self.pending_dialog = box
        box.open()

    def _delete(self, media_id: str) -> None:
        self.pending_dialog = None
        run_task(
            lambda: self._bridge.client().delete_media(media_id),
            lambda _answer: self._deleted(media_id),
            self._failed_action,
        )

    def _deleted(self, media_id: str) -> None:
        self.model.remove_item(media_id)
        self.total = max(0, self.total - 1)
        self._update_pager()
        self.message.setText("Deleted.")

    def ask_attach(self) -> None:
        item = self.selected()
        if item is None:
            return
        dialog = AttachDialog(str(item.get("filename")), self._catalog.videos(), self)
        dialog.accepted.connect(lambda: self._attach(str(item["id"]), dialog.video_id()))
        self.pending_dialog = dialog
        dialog.open()

    def _attach(self, media_id: str, video_id: str | None) -> None:
        self.pending_dialog = None
        if not video_id:
            return
        run_task(
            lambda: self._bridge.client().attach(media_id, video_id),
            lambda _answer: self._attached(),
            self._failed_action,
        )

    def _attached(self) -> None:
        self.message.setText("Attached to the course video.")
        self._catalog.refresh()

    def _failed_action(self, exc: Exception) -> None:
        self.message.setText(describe(exc))

    def _context_menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        for action in (self.open_action, self.copy_action, self.attach_action, self.delete_action):
            menu.addAction(action)
        menu.popup(self.table.viewport().mapToGlobal(pos))
