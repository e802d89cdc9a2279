"""Sign in (server URL, email, password) and, once signed in, who you are and sign out."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.bridge import DaemonBridge
from desktop.errors import describe
from desktop.tasks import run_task
from shared.control.schemas import AccountView

DEFAULT_SERVER = "http://127.0.0.1:8750"
MEMORY_NOTICE = (
    "This computer has no keyring, so you stay signed in only until ReelDrop's daemon "
    "stops. To stay signed in, sign in again with “Keep me signed in using a private file”."
)


def heading(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.4)
    font.setBold(True)
    label.setFont(font)
    return label


class AccountPage(QWidget):
    signedIn = Signal(object)  # AccountView

    def __init__(self, bridge: DaemonBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self.stack = QStackedWidget()
        self.stack.addWidget(self._build_form())
        self.stack.addWidget(self._build_signed_in())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.addWidget(self.stack)
        layout.addStretch(1)

    # -- sign-in form -------------------------------------------------------------------------

    def _build_form(self) -> QWidget:
        page = QWidget()
        self.server = QLineEdit(DEFAULT_SERVER)
        self.server.setAccessibleName("Server address")
        self.email = QLineEdit()
        self.email.setAccessibleName("Email")
        self.email.setPlaceholderText("you@university.edu")
        self.password = QLineEdit()
        self.password.setAccessibleName("Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.keep_in_file = QCheckBox(
            "Keep me signed in using a private file (when there is no keyring)"
        )
        self.keep_in_file.setAccessibleName("Keep sign-in in a private file")
        self.keep_in_file.setToolTip(
            "Where the system offers no keyring, your sign-in is kept in a file only you can "
            "read. Otherwise it lasts until the daemon stops."
        )
        self.sign_in_button = QPushButton("Sign in")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.setObjectName("primaryButton")
        self.sign_in_button.setAccessibleName("Sign in")
        self.sign_in_button.clicked.connect(self.submit)
        self.password.returnPressed.connect(self.submit)
        self.error = QLabel()
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Sign-in error")
        self.error.hide()

        form = QFormLayout()
        form.setVerticalSpacing(10)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow("&Server:", self.server)
        form.addRow("&Email:", self.email)
        form.addRow("&Password:", self.password)
        form.addRow("", self.keep_in_file)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.sign_in_button)

        layout = QVBoxLayout(page)
        layout.addWidget(heading("Sign in to ReelDrop"))
        layout.addWidget(QLabel("Your videos are uploaded to your account on this server."))
        layout.addSpacing(12)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        page.setMaximumWidth(560)
        return page

    def submit(self) -> None:
        server, email = self.server.text().strip(), self.email.text().strip()
        password = self.password.text()
        missing = [
            n for n, v in (("server", server), ("email", email), ("password", password)) if not v
        ]
        if missing:
            self._show_error(f"Please fill in the {' and '.join(missing)}.")
            return
        self.sign_in_button.setEnabled(False)
        self.sign_in_button.setText("Signing in…")
        self.error.hide()
        insecure = self.keep_in_file.isChecked()
        run_task(
            lambda: self._bridge.client().login(server, email, password, insecure),
            self._signed_in,
            self._failed,
        )

    def _signed_in(self, account: AccountView) -> None:
        self._reset_button()
        self.password.clear()
        self.show_account(account)
        self.signedIn.emit(account)

    def _failed(self, exc: Exception) -> None:
        self._reset_button()
        self._show_error(describe(exc))

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def _reset_button(self) -> None:
        self.sign_in_button.setEnabled(True)
        self.sign_in_button.setText("Sign in")

    # -- signed in ----------------------------------------------------------------------------

    def _build_signed_in(self) -> QWidget:
        page = QWidget()
        self.who = QLabel()
        self.who.setAccessibleName("Signed-in account")
        self.who.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setObjectName("noticeText")
        self.sign_out_button = QPushButton("Sign out")
        self.sign_out_button.setAccessibleName("Sign out")
        self.sign_out_button.clicked.connect(self.sign_out)
        layout = QVBoxLayout(page)
        layout.addWidget(heading("Account"))
        layout.addWidget(self.who)
        layout.addWidget(self.notice)
        row = QHBoxLayout()
        row.addWidget(self.sign_out_button)
        row.addStretch(1)
        layout.addLayout(row)
        page.setMaximumWidth(640)
        return page

    def sign_out(self) -> None:
        self.sign_out_button.setEnabled(False)
        run_task(
            lambda: self._bridge.client().logout(),
            self._after_sign_out,
            self._after_sign_out,
        )

    def _after_sign_out(self, result: object) -> None:
        self.sign_out_button.setEnabled(True)
        if isinstance(result, AccountView):
            self.show_account(result)
        elif isinstance(result, Exception):
            self.notice.setText(describe(result))

    def show_account(self, account: AccountView) -> None:
        if not account.signed_in:
            if account.server_url:
                self.server.setText(account.server_url)
            if account.email and not self.email.text():
                self.email.setText(account.email)
            self.stack.setCurrentIndex(0)
            return
        self.who.setText(
            f"Signed in as <b>{html.escape(account.email or '')}</b>"
            f"<br>on {html.escape(account.server_url or '')}"
        )
        storage = {
            "keyring": "Your sign-in is kept in the system keyring.",
            "file": "Your sign-in is kept in a file only you can read.",
            "memory": MEMORY_NOTICE,
        }.get(account.token_storage or "", "")
        self.notice.setText(storage)
        self.stack.setCurrentIndex(1)
