"""Watched folders from the window against a real daemon: add, live state, remove."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.views.add_dialogs import FolderChoiceDialog, WatchFolderDialog
from tests.desktop.conftest import Running, drop_files
from tests.desktop.test_window import signed_in

pytestmark = pytest.mark.slow


def test_watch_a_folder_from_the_page(
    qtbot: QtBot, running: Running, tmp_path: Path, videos: dict[str, Path]
) -> None:
    signed_in(qtbot, running)
    client = running.daemon.client()
    client.set_setting("quiet-seconds", "1")
    folder = tmp_path / "recordings"
    folder.mkdir()
    page = running.window.folders
    running.window.show_page(page)
    page.ask(folder)
    dialog = page.pending_dialog
    assert isinstance(dialog, WatchFolderDialog)
    dialog.course.setCurrentIndex(dialog.course.findData(running.course_id))
    dialog.recursive.setChecked(False)
    dialog.accept()
    qtbot.waitUntil(lambda: page.state_of(str(folder.resolve())) is not None, timeout=60_000)
    [watched] = client.watch_list()
    assert watched.course_id == running.course_id and watched.recursive is False
    qtbot.waitUntil(
        lambda: (page.state_of(watched.path) or "").startswith("Watching"), timeout=60_000
    )
    row = [f.path for f in page.folders].index(watched.path)
    item = page.table.item(row, 1)
    assert item is not None and item.text() == running.window.catalog.names()[running.course_id]

    shutil.copy(videos["mp4"], folder / "lecture.mp4")
    qtbot.waitUntil(
        lambda: any(
            j.filename == "lecture.mp4" and str(j.state) == "done"
            for j in running.window.jobs_model.jobs()
        ),
        timeout=120_000,
    )
    job = next(j for j in running.window.jobs_model.jobs() if j.filename == "lecture.mp4")
    assert job.source == "watch" and job.course_id == running.course_id

    page.table.selectRow(row)
    assert page.remove_button.isEnabled()
    qtbot.mouseClick(page.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.table.rowCount() == 0, timeout=60_000)
    assert client.watch_list() == []


def test_dropped_folder_can_be_watched(qtbot: QtBot, running: Running, tmp_path: Path) -> None:
    signed_in(qtbot, running)
    folder = tmp_path / "week 2"
    folder.mkdir()
    window = running.window
    assert drop_files(window, [folder])
    qtbot.waitUntil(lambda: isinstance(window.adder.pending, FolderChoiceDialog), timeout=10_000)
    dialog = window.adder.pending
    assert isinstance(dialog, FolderChoiceDialog)
    dialog.move_after.setChecked(True)
    qtbot.mouseClick(dialog.watch_button, Qt.MouseButton.LeftButton)
    client = running.daemon.client()
    qtbot.waitUntil(lambda: len(client.watch_list()) == 1, timeout=60_000)
    assert client.watch_list()[0].after_upload == "move"
    qtbot.waitUntil(lambda: window.folders.table.rowCount() == 1, timeout=60_000)
