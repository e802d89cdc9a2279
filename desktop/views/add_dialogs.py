"""The questions asked when videos are added: which course, and for a folder, once or watch."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from desktop.views.dialog_parts import accept_buttons, roomy_layout


def course_combo(courses: list[dict[str, Any]], parent: QWidget | None = None) -> QComboBox:
    combo = QComboBox(parent)
    combo.setAccessibleName("Course")
    combo.addItem("No course", None)
    for course in courses:
        combo.addItem(str(course.get("title", course["id"])), str(course["id"]))
    combo.setMinimumContentsLength(24)
    return combo


class CoursePickerDialog(QDialog):
    """'Upload 3 videos' with the course they belong to."""

    def __init__(
        self, files: list[Path], courses: list[dict[str, Any]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.files = files
        self.setWindowTitle("Upload videos")
        count = len(files)
        what = html.escape(files[0].name) if count == 1 else f"{count} videos"
        title = QLabel(f"<b>Upload {what}</b>")
        title.setWordWrap(True)
        self.course = course_combo(courses, self)
        form = QFormLayout()
        form.addRow("&Course:", self.course)
        buttons, self.upload_button = accept_buttons(self, "Upload")
        layout = roomy_layout(self)
        layout.addWidget(title)
        if count > 1:
            names = QLabel(", ".join(f.name for f in files[:4]) + (" …" if count > 4 else ""))
            names.setWordWrap(True)
            layout.addWidget(names)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)

    def course_id(self) -> str | None:
        return self.course.currentData()


class FolderChoiceDialog(QDialog):
    """A dropped folder: upload the videos in it now, or watch it for new ones."""

    ONCE, WATCH = 1, 2

    def __init__(
        self,
        folder: Path,
        courses: list[dict[str, Any]],
        can_watch: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.folder = folder
        self.setWindowTitle("Add a folder")
        title = QLabel(f"<b>{html.escape(folder.name or str(folder))}</b>")
        text = QLabel(
            "Upload the videos in this folder once, or watch it and upload every new video "
            "that appears in it?"
            if can_watch
            else "Upload the videos in this folder?"
        )
        text.setWordWrap(True)
        self.course = course_combo(courses, self)
        self.move_after = QCheckBox("Move uploaded videos into an “Uploaded” subfolder")
        self.move_after.setVisible(can_watch)
        form = QFormLayout()
        form.addRow("&Course:", self.course)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.once_button = QPushButton("Upload once")
        self.once_button.setDefault(True)
        self.watch_button = QPushButton("Watch folder")
        self.watch_button.setVisible(can_watch)
        buttons.addButton(self.watch_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.once_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.once_button.clicked.connect(lambda: self.done(self.ONCE))
        self.watch_button.clicked.connect(lambda: self.done(self.WATCH))
        buttons.rejected.connect(self.reject)
        layout = roomy_layout(self)
        layout.addWidget(title)
        layout.addWidget(text)
        layout.addLayout(form)
        layout.addWidget(self.move_after)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    def course_id(self) -> str | None:
        return self.course.currentData()


class WatchFolderDialog(QDialog):
    """Watch a folder: which course its videos belong to, subfolders, what happens after."""

    def __init__(
        self, folder: Path, courses: list[dict[str, Any]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.folder = folder
        self.setWindowTitle("Watch a folder")
        title = QLabel(f"<b>{html.escape(str(folder))}</b>")
        title.setWordWrap(True)
        text = QLabel(
            "Videos already in it and every new one are uploaded once their recording is finished."
        )
        text.setWordWrap(True)
        self.course = course_combo(courses, self)
        self.recursive = QCheckBox("Include subfolders")
        self.recursive.setChecked(True)
        self.move_after = QCheckBox("Move uploaded videos into an “Uploaded” subfolder")
        form = QFormLayout()
        form.addRow("&Course:", self.course)
        buttons, self.watch_button = accept_buttons(self, "Watch")
        layout = roomy_layout(self)
        layout.addWidget(title)
        layout.addWidget(text)
        layout.addLayout(form)
        layout.addWidget(self.recursive)
        layout.addWidget(self.move_after)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    def course_id(self) -> str | None:
        return self.course.currentData()
