"""One upload session gives exactly one media file, however many ``complete`` calls race."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
from sqlalchemy import func, select

from server.db.models import MediaFile
from shared.media.hashing import sha1_file
from tests.server.test_uploads import initiate
from tests.support.api import new_account
from tests.support.b2 import upload_as_client
from tests.support.live_server import LiveServer

RACERS = 6


def test_parallel_completes_make_one_media_file(
    server: LiveServer, videos: dict[str, Path]
) -> None:
    account = new_account(server)
    path = videos["mp4"]
    data = initiate(account, path, contentSha1=sha1_file(path))
    upload_as_client(data, path)
    body = {"sessionKey": data["sessionKey"], "storageKey": data["storageKey"]}
    start = threading.Barrier(RACERS)
    answers: list[httpx.Response] = []
    lock = threading.Lock()

    def racer() -> None:
        with httpx.Client(
            base_url=server.url, timeout=120, headers={"Authorization": f"Bearer {account.token}"}
        ) as client:
            start.wait(timeout=60)
            answer = client.post("/api/v1/media/upload/complete", json=body)
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=racer) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert len(answers) == RACERS
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
    ids = {a.json()["data"]["id"] for a in answers}
    assert len(ids) == 1, f"{len(ids)} media files for one session"
    with server.session_factory() as db:
        count = db.execute(
            select(func.count(MediaFile.id)).where(MediaFile.storage_key == data["storageKey"])
        ).scalar_one()
    assert count == 1
