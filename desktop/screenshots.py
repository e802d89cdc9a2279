"""Renders every view and dialog, in the light and the dark palette, to PNG files.

    python -m desktop.screenshots [OUT_DIR]     (default: docs/screenshots)

The window is built exactly as the app builds it, over a bridge that is never started, and
filled with sample jobs, media and courses, so the pictures show what users see.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import QPointF, QThreadPool
from PySide6.QtGui import QColor, QImage, QLinearGradient, QPainter
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from desktop import palette
from desktop.app import DesktopApp
from desktop.bridge import DaemonBridge
from desktop.tasks import pending
from desktop.views.add_dialogs import CoursePickerDialog, FolderChoiceDialog, WatchFolderDialog
from desktop.views.attach_dialog import AttachDialog
from shared.control.client import ControlClient
from shared.control.schemas import AccountView, FolderView, JobError, JobView
from shared.control.states import JobState

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
COURSES: list[dict[str, Any]] = [
    {"id": "c1", "title": "Physics 101", "videos": [{"id": "v1", "title": "Week 1: Motion"}]},
    {"id": "c2", "title": "Linear Algebra", "videos": [{"id": "v2", "title": "Eigenvalues"}]},
]
ACCOUNT = AccountView(
    signed_in=True,
    state="signed_in",
    server_url="https://media.university.edu",
    email="ada@university.edu",
    token_storage="keyring",
)


class SampleClient:
    """Answers the window's read calls with the sample data (the pictures need no daemon)."""

    def settings(self) -> dict[str, str]:
        return {
            "bandwidth-limit": "5MB/s",
            "concurrent-uploads": "2",
            "quiet-seconds": "5",
            "notifications": "on",
        }

    def courses(self) -> list[dict[str, Any]]:
        return COURSES

    def media(self, page: int = 1, limit: int = 50, **_filters: object) -> dict[str, object]:
        items = sample_media()
        return {"items": items, "page": page, "limit": limit, "total": len(items)}

    def watch_list(self) -> list[FolderView]:
        return [
            FolderView(path="/home/ada/Lectures/Physics", course_id="c1", state="watching"),
            FolderView(
                path="/home/ada/Zoom recordings",
                course_id="c2",
                after_upload="move",
                state="watching",
                waiting=1,
            ),
            FolderView(
                path="/mnt/lab-share/Seminars",
                recursive=False,
                state="polling",
                error="the share does not report changes; scanned every 10 s",
            ),
            FolderView(
                path="/media/ada/USB/Week 4",
                state="missing",
                error="unplugged drive? watching resumes when it is back",
            ),
        ]

    def close(self) -> None:
        pass


def _thumbnail(folder: Path, name: str, hue: int) -> str:
    image = QImage(320, 180, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    gradient = QLinearGradient(QPointF(0, 0), QPointF(320, 180))
    gradient.setColorAt(0, QColor.fromHsv(hue, 120, 200))
    gradient.setColorAt(1, QColor.fromHsv((hue + 40) % 360, 160, 90))
    painter.fillRect(image.rect(), gradient)
    painter.setPen(QColor(255, 255, 255, 200))
    painter.drawRect(110, 60, 100, 60)
    painter.end()
    path = folder / f"{name}.png"
    image.save(str(path))
    return str(path)


def sample_jobs(folder: Path) -> list[JobView]:
    rows = [
        ("Lecture 01 - Kinematics.mp4", "done", 1.0, None, "c1", 210),
        ("Lecture 02 - Newton's laws.mp4", "uploading", 0.62, None, "c1", 20),
        ("Lecture 03 - Energy.mov", "uploading", 0.18, None, "c1", 40),
        ("Seminar recording.mp4", "paused", 0.35, None, None, 280),
        ("Eigenvalues explained.webm", "queued", 0.0, None, "c2", 120),
        (
            "notes.mp4",
            "rejected",
            0.0,
            ("unsupported_format", "not a video: the file is text"),
            None,
            0,
        ),
        (
            "Office hours.mp4",
            "failed",
            0.8,
            ("server_error", "the server refused the upload (507)"),
            None,
            330,
        ),
    ]
    jobs = []
    for n, (name, state, fraction, error, course, hue) in enumerate(rows):
        total = 180_000_000 + n * 97_000_000
        jobs.append(
            JobView(
                id=f"job-{n}",
                path=f"/home/ada/Lectures/{name}",
                filename=name,
                state=JobState(state),
                bytes_sent=int(total * fraction),
                total_bytes=total,
                speed_bps=8_400_000 if state == "uploading" else None,
                eta_seconds=int(total * (1 - fraction) / 8_400_000)
                if state == "uploading"
                else None,
                course_id=course,
                media_file_id="m0" if state == "done" else None,
                thumbnail_path=_thumbnail(folder, f"job{n}", hue) if state != "rejected" else None,
                error=JobError(code=error[0], message=error[1]) if error else None,
                source="window",
                created_at=NOW - timedelta(minutes=n),
                updated_at=NOW,
            )
        )
    return jobs


def sample_media() -> list[dict[str, object]]:
    rows = [
        ("Lecture 01 - Kinematics.mp4", 3125, 1920, 1080, "1080p", "ready"),
        ("Welcome.mp4", 245, 1280, 720, "720p", "ready"),
        ("Lab safety.mov", 1510, 3840, 2160, "4k", "processing"),
        ("Guest talk.webm", 4388, 854, 480, "480p", "failed"),
    ]
    return [
        {
            "id": f"m{n}",
            "filename": name,
            "fileSize": 120_000_000 * (n + 1),
            "durationSeconds": seconds,
            "width": width,
            "height": height,
            "videoQuality": quality,
            "status": status,
            "processingError": "the video stream could not be decoded"
            if status == "failed"
            else None,
            "cdnUrl": f"https://cdn.university.edu/videos/{n}.mp4",
            "createdAt": (NOW - timedelta(days=n)).isoformat(),
        }
        for n, (name, seconds, width, height, quality, status) in enumerate(rows)
    ]


def build(folder: Path) -> DesktopApp:
    desktop = DesktopApp(DaemonBridge(lambda: cast(ControlClient, SampleClient())), use_tray=False)
    window = desktop.window
    window.bridge.is_up = True
    window.jobs_model.reset_jobs(sample_jobs(folder))
    window._on_account(ACCOUNT)
    window.settings_page.load()
    window.folders.load()
    window.resize(1240, 640)
    window.show()
    settle(
        lambda: bool(
            window.catalog.courses and window.settings_page.values and window.folders.folders
        )
    )
    return desktop


def settle(done: Callable[[], bool]) -> None:
    """Let the sample answers (delivered through the thread pool) arrive."""
    pool = QThreadPool.globalInstance()
    for _ in range(200):
        pool.waitForDone(50)
        QApplication.processEvents()
        if done() and pending() == 0:
            return


def shoot(widget: QWidget, path: Path) -> None:
    QApplication.processEvents()
    widget.grab().save(str(path))


def render(out: Path, dark: bool) -> list[Path]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    palette.apply(app, dark=dark)
    suffix = "dark" if dark else "light"
    made: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        desktop = build(Path(tmp))
        window = desktop.window

        def page(name: str, widget: QWidget, prepare: Callable[[], None] | None = None) -> None:
            window.show_page(widget)
            if prepare:
                prepare()
            made.append(out / f"{name}-{suffix}.png")
            shoot(window, made[-1])

        def uploads() -> None:
            window.uploads.select_job("job-1")

        page("uploads", window.uploads, uploads)

        def library() -> None:
            settle(lambda: window.library.model.rowCount() > 0 and not window.library.loading)
            window.library.select("m0")

        page("library", window.library, library)
        page("folders", window.folders, lambda: window.folders.show_folders(window.folders.folders))
        page("settings", window.settings_page)
        page("account", window.account_page)

        def signed_out() -> None:
            window._on_account(AccountView(signed_in=False, server_url=ACCOUNT.server_url))
            window.account_page.email.setText("ada@university.edu")
            window.account_page.password.setText("wrong")
            window.account_page._show_error("Wrong email or password.")

        page("sign-in", window.account_page, signed_out)
        window.jobs_model.reset_jobs([])
        page("uploads-empty", window.uploads)
        window.bridge.is_up = False
        page(
            "daemon-down",
            window.uploads,
            lambda: window._on_daemon_down("The ReelDrop daemon is not running."),
        )

        files = [
            Path("/home/ada/Lectures/Lecture 04.mp4"),
            Path("/home/ada/Lectures/Lecture 05.mp4"),
        ]
        dialogs: list[tuple[str, QWidget]] = [
            ("dialog-course", CoursePickerDialog(files, COURSES, window)),
            (
                "dialog-folder",
                FolderChoiceDialog(Path("/home/ada/Lectures/Week 3"), COURSES, True, window),
            ),
            ("dialog-attach", AttachDialog("Welcome.mp4", window.catalog.videos(), window)),
            ("dialog-watch", WatchFolderDialog(Path("/home/ada/Zoom recordings"), COURSES, window)),
        ]
        for name, dialog in dialogs:
            dialog.show()
            made.append(out / f"{name}-{suffix}.png")
            shoot(dialog, made[-1])
            dialog.close()
        desktop.ask_to_quit()
        assert desktop.quit_dialog is not None
        made.append(out / f"dialog-quit-{suffix}.png")
        shoot(desktop.quit_dialog, made[-1])
        desktop.quit_dialog.done(QMessageBox.StandardButton.Cancel)
        window._on_account(ACCOUNT)
        window.show_page(window.library)
        settle(lambda: window.library.model.rowCount() > 0 and not window.library.loading)
        window.library.select("m1")
        window.library.ask_delete()
        box = window.library.pending_dialog
        assert box is not None
        made.append(out / f"dialog-delete-{suffix}.png")
        shoot(box, made[-1])
        box.close()
        window.hide()
        window.deleteLater()
    return made


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0] if args else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication([])
    app.setApplicationName("ReelDrop")
    made = render(out, dark=False) + render(out, dark=True)
    for path in made:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
