"""Pick one of the user's course videos to attach a library video to."""

from __future__ import annotations

import html

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QWidget,
)

from desktop.views.dialog_parts import accept_buttons, roomy_layout


class AttachDialog(QDialog):
    def __init__(
        self, filename: str, videos: list[tuple[str, str]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Attach to a course video")
        title = QLabel(f"Play <b>{html.escape(filename)}</b> in:")
        self.video = QComboBox()
        self.video.setAccessibleName("Course video")
        self.video.setMinimumContentsLength(30)
        for video_id, label in videos:
            self.video.addItem(label, video_id)
        form = QFormLayout()
        form.addRow("Course &video:", self.video)
        buttons, self.attach_button = accept_buttons(self, "Attach")
        self.attach_button.setEnabled(bool(videos))
        layout = roomy_layout(self)
        layout.addWidget(title)
        if not videos:
            layout.addWidget(QLabel("You have no course videos to attach to yet."))
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(440)

    def video_id(self) -> str | None:
        return self.video.currentData()
