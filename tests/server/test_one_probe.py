"""Each upload is probed once: the daemon's ``process`` after ``complete`` adds no second job."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import func, select

from server.db.models import ProcessingJob
from tests.server.flows import uploaded_media
from tests.support.api import new_account
from tests.support.live_server import LiveServer


def _jobs(server: LiveServer, media_id: str) -> int:
    with server.session_factory() as db:
        return int(
            db.execute(
                select(func.count(ProcessingJob.id)).where(ProcessingJob.media_file_id == media_id)
            ).scalar_one()
        )


def _wait_for(account: object, media_id: str, wanted: set[str]) -> dict[str, object]:
    deadline = time.monotonic() + 120
    while True:
        media = account.get(f"/api/v1/media/media/{media_id}").json()["data"]  # type: ignore[attr-defined]
        if media["status"] in wanted or time.monotonic() > deadline:
            return dict(media)
        time.sleep(0.2)


def test_process_after_complete_does_not_probe_again(
    sqlite_server: LiveServer, videos: dict[str, Path]
) -> None:
    account = new_account(sqlite_server)
    media = uploaded_media(account, videos["mp4"])
    ready = _wait_for(account, media["id"], {"ready", "failed"})
    assert ready["status"] == "ready"
    again = account.post(f"/api/v1/media/media/{media['id']}/process")
    assert again.status_code == 200, again.text
    assert again.json()["data"]["status"] == "ready"
    assert _jobs(sqlite_server, media["id"]) == 1


def test_process_right_after_complete_joins_the_queued_job(
    sqlite_server: LiveServer, videos: dict[str, Path]
) -> None:
    account = new_account(sqlite_server)
    media = uploaded_media(account, videos["webm"])
    account.post(f"/api/v1/media/media/{media['id']}/process")
    _wait_for(account, media["id"], {"ready", "failed"})
    assert _jobs(sqlite_server, media["id"]) == 1
