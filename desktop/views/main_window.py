"""The window titled "ReelDrop": navigation on the left, one page at a time on the right.

It only wires things: bridge signals into the models and pages, user actions into the
control client. Closing it hides it (or, with no tray, ends the app); uploads never stop.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop import icons
from desktop.bridge import DaemonBridge
from desktop.catalog import CourseCatalog
from desktop.jobs_model import JobsModel
from desktop.summary import Summary, summarize
from desktop.views.account_page import AccountPage
from desktop.views.adding import AddController, local_paths
from desktop.views.banner import Banner
from desktop.views.folders_page import FoldersPage
from desktop.views.library_page import LibraryPage
from desktop.views.settings_page import SettingsPage
from desktop.views.uploads_page import UploadsPage
from shared.control.schemas import AccountView, StatusView

TITLE = "ReelDrop"


class MainWindow(QMainWindow):
    summaryChanged = Signal(object)  # Summary
    jobFinished = Signal(object)  # JobView that reached a terminal state while we watched

    def __init__(self, bridge: DaemonBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.keep_running_on_close = False  # True while a tray icon holds the app
        self.setWindowTitle(TITLE)
        self.setWindowIcon(icons.icon("reeldrop"))
        self.setAcceptDrops(True)
        self.resize(1240, 700)
        self.setMinimumSize(760, 460)

        self.account = AccountView(signed_in=False)
        self.server_problem: str | None = None
        self.jobs_model = JobsModel(parent=self)
        self.catalog = CourseCatalog(bridge, self)
        self.catalog.changed.connect(lambda: self.jobs_model.set_course_names(self.catalog.names()))
        self.adder = AddController(bridge, self.catalog, self)
        self.adder.message.connect(self.show_status)

        self.banner = Banner()
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setAccessibleName("Sections")
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setFixedWidth(190)
        self.pages = QStackedWidget()
        self.nav.currentRowChanged.connect(self.pages.setCurrentIndex)

        self.uploads = UploadsPage(bridge, self.jobs_model)
        self.uploads.addRequested.connect(self.adder.choose_files)
        self.uploads.actions_.message.connect(self.show_status)
        self.account_page = AccountPage(bridge)
        self.account_page.signedIn.connect(self._on_account)
        self.library = LibraryPage(bridge, self.catalog)
        self.folders = FoldersPage(bridge, self.catalog)
        self.settings_page = SettingsPage(bridge)
        self.settings_page.changeServerRequested.connect(self._change_server)
        self.add_page("Uploads", "nav-uploads", self.uploads)
        self.add_page("Library", "nav-library", self.library)
        self.add_page("Watched folders", "nav-folders", self.folders)
        self.add_page("Settings", "nav-settings", self.settings_page)
        self.add_page("Account", "nav-account", self.account_page)
        self.pages.currentChanged.connect(self._page_shown)

        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.banner)
        column.addWidget(self.pages, 1)
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(right, 1)
        self.setCentralWidget(central)
        self.summary_label = QLabel()
        self.summary_label.setAccessibleName("Upload status")
        self.statusBar().addPermanentWidget(self.summary_label)

        self._summary_timer = QTimer(self, singleShot=True, interval=150)
        self._summary_timer.timeout.connect(self._update_summary)
        for signal in (
            self.jobs_model.dataChanged,
            self.jobs_model.rowsInserted,
            self.jobs_model.rowsRemoved,
            self.jobs_model.modelReset,
        ):
            signal.connect(self._summary_timer.start)

        QShortcut(QKeySequence.StandardKey.Open, self, self.adder.choose_files)
        bridge.connected.connect(self._on_connected)
        bridge.daemonDown.connect(self._on_daemon_down)
        bridge.jobChanged.connect(self._on_job)
        bridge.jobRemoved.connect(self.jobs_model.remove)
        bridge.accountChanged.connect(self._on_account)
        bridge.connectivityChanged.connect(self._on_connectivity)
        bridge.settingsChanged.connect(self.settings_page.show_values)
        self.nav.setCurrentRow(0)
        self.last_summary = summarize([], daemon_up=False, signed_in=False)
        self._on_daemon_down(bridge.down_message if not bridge.is_up else "")

    def add_page(self, title: str, icon: str, page: QWidget) -> None:
        item = QListWidgetItem(icons.icon(icon), title)
        item.setSizeHint(QSize(160, 40))
        self.nav.addItem(item)
        self.pages.addWidget(page)
        index = self.nav.count()
        if index <= 9:
            shortcut = QShortcut(QKeySequence(f"Ctrl+{index}"), self)
            shortcut.activated.connect(lambda row=index - 1: self.nav.setCurrentRow(row))
        item.setToolTip(f"{title} (Ctrl+{index})")

    def show_page(self, page: QWidget) -> None:
        self.nav.setCurrentRow(self.pages.indexOf(page))

    # -- daemon -> window ---------------------------------------------------------------------

    def _on_connected(self, status: StatusView) -> None:
        self.jobs_model.reset_jobs(status.jobs)
        self.settings_page.load()
        self.folders.load()
        connectivity = getattr(status, "connectivity", None)
        if connectivity is not None:
            self._on_connectivity(connectivity.model_dump(by_alias=True))
        self._on_account(status.account)

    def _on_daemon_down(self, message: str) -> None:
        if not message:
            return
        self.banner.show_message(message, "Start daemon", self.bridge.start_daemon)
        self._update_summary()

    def _on_job(self, job: Any) -> None:
        row = self.jobs_model.row_of(job.id)
        before = str(self.jobs_model.job_at(row).state) if row is not None else None
        self.jobs_model.upsert(job)
        if before != str(job.state) and str(job.state) in {"done", "failed", "rejected"}:
            self.jobFinished.emit(job)
            if str(job.state) == "done" and self.pages.currentWidget() is self.library:
                self.library.reload()

    def _on_account(self, account: AccountView) -> None:
        was_signed_in = self.account.signed_in
        self.account = account
        self.account_page.show_account(account)
        self.settings_page.show_server(account.server_url if account.signed_in else None)
        if account.signed_in and not was_signed_in:
            self.catalog.refresh()
            if self.pages.currentWidget() is self.library:
                self.library.reload()
        elif not account.signed_in:
            self.catalog.clear()
            self.library.model.set_items([])
        self._refresh_banner()
        self._update_summary()

    def _on_connectivity(self, data: dict[str, Any]) -> None:
        problem = data.get("server") == "unreachable"
        self.server_problem = (
            (data.get("message") or "The server can't be reached.") if problem else None
        )
        self._refresh_banner()
        self._update_summary()

    def _refresh_banner(self) -> None:
        if not self.bridge.is_up:
            return
        if not self.account.signed_in:
            text = self.account.notice or "Signed out: sign in to continue."
            self.banner.show_message(text, "Sign in", lambda: self.show_page(self.account_page))
        elif self.server_problem:
            self.banner.show_message(self.server_problem)
        else:
            self.banner.hide()

    def _update_summary(self) -> None:
        summary = summarize(
            self.jobs_model.jobs(),
            daemon_up=self.bridge.is_up,
            signed_in=self.account.signed_in,
            server_problem=self.server_problem,
            daemon_message=self.bridge.down_message,
        )
        self.summary_label.setText(summary.text)
        if summary != self.last_summary:
            self.last_summary = summary
            self.summaryChanged.emit(summary)

    def current_summary(self) -> Summary:
        return self.last_summary

    def _page_shown(self, index: int) -> None:
        if self.pages.widget(index) is self.library and self.account.signed_in:
            self.library.reload()

    def _change_server(self) -> None:
        self.account_page.stack.setCurrentIndex(0)
        self.show_page(self.account_page)

    def show_status(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    # -- window behaviour ---------------------------------------------------------------------

    def bring_to_front(self) -> None:
        self.show()
        self.setWindowState(
            (self.windowState() & ~Qt.WindowState.WindowMinimized) | Qt.WindowState.WindowActive
        )
        self.raise_()
        self.activateWindow()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing the window never stops uploads: the daemon is a separate process."""
        if self.keep_running_on_close:
            event.ignore()
            self.hide()
            return
        event.accept()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if local_paths(event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: Any) -> None:
        event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = local_paths(event.mimeData().urls())
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.show_page(self.uploads)
        self.adder.add_paths(paths)
