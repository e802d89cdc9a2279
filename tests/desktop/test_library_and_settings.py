"""The library and settings pages against a real server and daemon."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop.library_model import LibraryColumn
from desktop.views.attach_dialog import AttachDialog
from tests.desktop.conftest import Running
from tests.desktop.test_window import signed_in
from tests.support.api import sign_in

pytestmark = pytest.mark.slow


def test_library_lists_attaches_and_deletes(
    qtbot: QtBot, running: Running, videos: dict[str, Path]
) -> None:
    signed_in(qtbot, running)
    client = running.daemon.client()
    job = client.add([str(videos["hd"])])[0]
    done = running.daemon.wait_for_job(job.id)
    assert done.state == "done" and done.media_file_id
    media_id = done.media_file_id
    window = running.window
    library = window.library
    window.show_page(library)
    qtbot.waitUntil(lambda: library.model.row_of(media_id) is not None, timeout=60_000)
    row = library.model.row_of(media_id)
    assert row is not None
    assert library.model.data(library.model.index(row, LibraryColumn.RESOLUTION)) == "1920×1080"  # noqa: RUF001
    assert library.model.data(library.model.index(row, LibraryColumn.DURATION)) == "0:01"
    assert library.page_label.text() == "Page 1 of 1"

    library.status_filter.setCurrentIndex(library.status_filter.findData("failed"))
    qtbot.waitUntil(lambda: not library.loading and library.model.rowCount() == 0, timeout=60_000)
    library.status_filter.setCurrentIndex(0)
    qtbot.waitUntil(lambda: library.model.row_of(media_id) is not None, timeout=60_000)

    assert library.select(media_id)
    library.attach_action.trigger()
    dialog = library.pending_dialog
    assert isinstance(dialog, AttachDialog)
    dialog.video.setCurrentIndex(dialog.video.findData(running.video_ids[1]))
    dialog.accept()
    owner = sign_in(running.server, running.email)

    def attached() -> bool:
        courses = owner.get("/api/v1/courses").json()["data"]
        videos_ = [v for c in courses for v in c["videos"]]
        return any(
            v["id"] == running.video_ids[1] and v["mediaFileId"] == media_id for v in videos_
        )

    qtbot.waitUntil(attached, timeout=60_000)

    assert library.select(media_id)
    library.delete_action.trigger()
    box = library.pending_dialog
    assert isinstance(box, QMessageBox)
    cancel = box.button(QMessageBox.StandardButton.Cancel)
    cancel.click()
    assert library.model.row_of(media_id) is not None
    assert library.select(media_id)
    library.delete_action.trigger()
    box = library.pending_dialog
    assert isinstance(box, QMessageBox)
    delete = next(b for b in box.buttons() if b.text() == "Delete")
    delete.click()
    qtbot.waitUntil(lambda: library.model.row_of(media_id) is None, timeout=60_000)
    assert all(item["id"] != media_id for item in client.media()["items"])


def test_settings_page_changes_the_daemon(
    qtbot: QtBot, running: Running, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    page = running.window.settings_page
    qtbot.waitUntil(lambda: bool(page.values), timeout=60_000)
    client = running.daemon.client()
    page.bandwidth.setText("fast")
    page.save()
    qtbot.waitUntil(lambda: "bandwidth-limit" in page.result.text(), timeout=60_000)
    assert client.settings()["bandwidth-limit"] == "0"

    page.bandwidth.setText("5MB/s")
    page.concurrent.setValue(3)
    page.notifications.setChecked(False)
    assert page.quiet.isVisibleTo(page)
    page.quiet.setValue(7)
    page.save()
    qtbot.waitUntil(lambda: page.result.text().startswith("Saved"), timeout=60_000)
    assert client.settings()["bandwidth-limit"] == "5MB/s"
    assert client.settings()["concurrent-uploads"] == "3"
    assert client.settings()["notifications"] == "off"
    assert client.settings()["quiet-seconds"] == "7"
    assert running.app.notifier.enabled is False

    client.set_setting("concurrent-uploads", "4")  # another client changes it: the page follows
    qtbot.waitUntil(lambda: page.concurrent.value() == 4, timeout=60_000)

    entry = tmp_path / "xdg" / "autostart"
    page.start_at_login.setChecked(True)
    assert any(entry.glob("*.desktop"))
    assert "--minimized" in next(entry.glob("*.desktop")).read_text()
    page.start_at_login.setChecked(False)
    assert not any(entry.glob("*.desktop"))
