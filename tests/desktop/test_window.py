"""The window against a real server and a real daemon process, driven like a user would."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from desktop import job_display
from desktop.jobs_model import Column
from desktop.views.add_dialogs import CoursePickerDialog, FolderChoiceDialog
from tests.desktop.conftest import Running, drop_files, sign_in_through_window
from tests.videos import make_video

pytestmark = pytest.mark.slow


def cell(running: Running, filename: str, column: Column) -> str | None:
    model = running.window.jobs_model
    for row in range(model.rowCount()):
        if model.job_at(row).filename == filename:
            return str(model.data(model.index(row, column)))
    return None


def signed_in(qtbot: QtBot, running: Running) -> None:
    sign_in_through_window(qtbot, running)
    qtbot.waitUntil(lambda: running.window.account.signed_in, timeout=60_000)
    qtbot.waitUntil(lambda: bool(running.window.catalog.courses), timeout=60_000)


def test_window_is_titled_and_says_it_is_signed_out(qtbot: QtBot, running: Running) -> None:
    window = running.window
    assert window.windowTitle() == "ReelDrop"
    qtbot.waitUntil(lambda: window.banner.isVisibleTo(window), timeout=10_000)
    assert "sign in" in window.banner.text.text().lower()
    assert window.last_summary.state == "attention"


def test_sign_in_through_the_window(qtbot: QtBot, running: Running) -> None:
    page = running.window.account_page
    sign_in_through_window(qtbot, running, password="not the password")
    qtbot.waitUntil(lambda: page.error.isVisibleTo(page), timeout=60_000)
    assert page.error.text() == "Wrong email or password."
    assert not running.window.account.signed_in

    page.server.setText("http://127.0.0.1:9")  # nothing listens on the discard port
    page.password.setText("whatever")
    qtbot.mouseClick(page.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "can't be reached" in page.error.text(), timeout=60_000)

    signed_in(qtbot, running)
    assert page.stack.currentIndex() == 1
    assert running.email in page.who.text()
    assert "keyring" in page.notice.text()  # the test daemon has no keyring: say what that means
    assert not running.window.banner.isVisibleTo(running.window)
    assert running.daemon.client().account().email == running.email


def test_dropped_video_uploads_and_shows_done(
    qtbot: QtBot, running: Running, videos: dict[str, Path]
) -> None:
    signed_in(qtbot, running)
    window = running.window
    notified: list[str] = []
    running.app.notifier.shown.connect(lambda title, text: notified.append(f"{title}: {text}"))
    assert drop_files(window, [videos["mp4"]])
    qtbot.waitUntil(lambda: isinstance(window.adder.pending, CoursePickerDialog), timeout=10_000)
    picker = window.adder.pending
    assert isinstance(picker, CoursePickerDialog)
    picker.course.setCurrentIndex(picker.course.findData(running.course_id))
    picker.accept()
    qtbot.waitUntil(lambda: cell(running, "lecture.mp4", Column.STATE) == "Done", timeout=120_000)
    assert cell(running, "lecture.mp4", Column.PROGRESS) == "100%"
    assert (
        cell(running, "lecture.mp4", Column.COURSE)
        == running.window.catalog.names()[running.course_id]
    )
    job = running.daemon.client().jobs()[0]
    assert job.state == "done" and job.course_id == running.course_id
    assert job.source == "window"
    qtbot.waitUntil(lambda: bool(notified), timeout=30_000)
    assert notified == ["Upload finished: lecture.mp4 is in your library."]

    assert window.uploads.select_job(job.id)
    actions = window.uploads.actions_
    qtbot.waitUntil(lambda: actions.copy_link.isEnabled(), timeout=10_000)
    actions.copy_link.trigger()
    clipboard = QApplication.clipboard()
    qtbot.waitUntil(lambda: clipboard.text().startswith("http"), timeout=30_000)
    assert (
        job.media_file_id
        and running.daemon.client().media_file(job.media_file_id)["cdnUrl"] == clipboard.text()
    )
    assert actions.remove.isEnabled() and not actions.pause.isEnabled()

    window.show_page(window.library)  # the finished upload is in the library
    library = window.library
    qtbot.waitUntil(
        lambda: library.model.row_of(job.media_file_id or "") is not None, timeout=60_000
    )
    row = library.model.row_of(job.media_file_id or "")
    assert row is not None
    item = library.model.item_at(row)
    assert item["filename"] == "lecture.mp4" and item["cdnUrl"] == clipboard.text()

    window.show_page(window.uploads)
    actions.remove.trigger()
    qtbot.waitUntil(lambda: window.jobs_model.rowCount() == 0, timeout=30_000)
    assert running.daemon.client().jobs() == []


def test_rejected_file_shows_its_reason(
    qtbot: QtBot, running: Running, videos: dict[str, Path]
) -> None:
    signed_in(qtbot, running)
    window = running.window
    assert drop_files(window.uploads.table, [videos["text"]])
    qtbot.waitUntil(lambda: window.adder.pending is not None, timeout=10_000)
    assert window.adder.pending is not None
    window.adder.pending.accept()
    qtbot.waitUntil(lambda: cell(running, "notes.mp4", Column.STATE) == "Rejected", timeout=120_000)
    reason = cell(running, "notes.mp4", Column.REASON)
    assert reason and reason == job_display.reason(running.daemon.client().jobs()[0])


def test_dropped_folder_asks_and_uploads_once(
    qtbot: QtBot, running: Running, tmp_path: Path
) -> None:
    signed_in(qtbot, running)
    folder = tmp_path / "week 1"
    folder.mkdir()
    make_video(folder / "intro.mp4")
    window = running.window
    assert drop_files(window, [folder])
    qtbot.waitUntil(lambda: isinstance(window.adder.pending, FolderChoiceDialog), timeout=10_000)
    dialog = window.adder.pending
    assert isinstance(dialog, FolderChoiceDialog)
    qtbot.mouseClick(dialog.once_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: cell(running, "intro.mp4", Column.STATE) == "Done", timeout=120_000)


def test_pause_and_resume_from_the_row(qtbot: QtBot, running: Running, tmp_path: Path) -> None:
    signed_in(qtbot, running)
    big = make_video(tmp_path / "seminar.mp4", seconds=4, size_bytes=8_000_000)
    client = running.daemon.client()
    client.set_setting("bandwidth-limit", "500KB/s")
    window = running.window
    window.adder.add_paths([big])
    qtbot.waitUntil(lambda: window.adder.pending is not None, timeout=10_000)
    assert window.adder.pending is not None
    window.adder.pending.done(QDialog.DialogCode.Accepted)
    qtbot.waitUntil(
        lambda: cell(running, "seminar.mp4", Column.STATE) == "Uploading", timeout=120_000
    )
    job_id = client.jobs()[0].id
    assert window.uploads.select_job(job_id)
    actions = window.uploads.actions_
    qtbot.waitUntil(lambda: actions.pause.isEnabled(), timeout=10_000)
    assert not actions.resume.isEnabled()
    actions.pause.trigger()
    qtbot.waitUntil(lambda: cell(running, "seminar.mp4", Column.STATE) == "Paused", timeout=60_000)
    qtbot.waitUntil(lambda: actions.resume.isEnabled(), timeout=10_000)
    client.set_setting("bandwidth-limit", "0")
    actions.resume.trigger()
    qtbot.waitUntil(lambda: cell(running, "seminar.mp4", Column.STATE) == "Done", timeout=120_000)


def test_closing_the_window_leaves_the_daemon_uploading(
    qtbot: QtBot, running: Running, tmp_path: Path
) -> None:
    signed_in(qtbot, running)
    big = make_video(tmp_path / "seminar.mp4", seconds=4, size_bytes=8_000_000)
    client = running.daemon.client()
    client.set_setting("bandwidth-limit", "1MB/s")
    window = running.window
    window.show()
    window.adder.add_paths([big])
    qtbot.waitUntil(lambda: window.adder.pending is not None, timeout=10_000)
    assert window.adder.pending is not None
    window.adder.pending.accept()
    qtbot.waitUntil(
        lambda: cell(running, "seminar.mp4", Column.STATE) == "Uploading", timeout=120_000
    )
    assert window.close()
    running.app.stop()
    job = client.jobs()[0]
    assert job.state == "uploading"
    client.set_setting("bandwidth-limit", "0")
    done = running.daemon.wait_for_job(job.id, timeout=120)
    assert done.state == "done", done.error
