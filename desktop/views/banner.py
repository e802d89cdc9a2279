"""A strip above the pages that says plainly what needs attention, with the one fix."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class Banner(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setAccessibleName("Notice")
        self.button = QPushButton()
        self._callback: Callable[[], None] | None = None
        self.button.clicked.connect(self._clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 8, 12, 8)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.button)
        self.hide()

    def show_message(
        self, text: str, button: str | None = None, callback: Callable[[], None] | None = None
    ) -> None:
        self.text.setText(text)
        self._callback = callback
        self.button.setVisible(button is not None)
        if button:
            self.button.setText(button)
            self.button.setAccessibleName(button)
        self.show()

    def _clicked(self) -> None:
        if self._callback is not None:
            self._callback()
