"""Several server processes on one PostgreSQL, as an operator runs them behind a balancer."""

from __future__ import annotations

import secrets
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from server.b2store.bootstrap import storage_info
from server.config import Settings
from server.db.models import MediaFile, ProcessingJob
from server.db.types import utcnow
from server.services.processing import Measured, ProcessingWorker
from shared.media.hashing import sha1_file
from tests.server.test_queue_and_expiry import FAKE_META
from tests.support.api import PASSWORD, new_account
from tests.support.b2 import upload_as_client
from tests.support.live_server import LiveServer, live_server
from tests.support.server_process import ServerProcess


def _client(url: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=120, headers={"Authorization": f"Bearer {token}"})


def test_two_server_processes_on_one_postgresql_run_the_whole_upload(
    pg_url: str, tmp_path: Path, videos: dict[str, Path]
) -> None:
    path = videos["mp4"]
    # The embedded store of a third server stands in for Backblaze B2 (BB_ENDPOINT).
    with live_server(tmp_path / "b2") as b2:
        info = storage_info(b2.data_dir, b2.url)
        env = {
            "DATABASE_URL": pg_url,
            "REELDROP_JWT_SECRET": secrets.token_urlsafe(48),
            "BB_KEY_ID": info["keyId"],
            "BB_APPLICATION_KEY": info["applicationKey"],
            "BB_ENDPOINT": b2.url,
            "BB_BUCKET_ID": info["bucketId"],
            "CDN_URL": f"{b2.url}/file/{info['bucketName']}",
        }
        first = ServerProcess(tmp_path / "a", env).start()
        second = ServerProcess(tmp_path / "b", env).start()
        try:
            email = first.add_user()
            login = httpx.post(
                f"{first.url}/api/v1/auth/login", json={"email": email, "password": PASSWORD}
            )
            assert login.status_code == 200, login.text
            token = login.json()["data"]["accessToken"]
            a, b = _client(first.url, token), _client(second.url, token)
            init = b.post(
                "/api/v1/media/upload/initiate",
                json={
                    "filename": path.name,
                    "fileSize": path.stat().st_size,
                    "contentType": "video/mp4",
                    "contentSha1": sha1_file(path),
                },
            )
            assert init.status_code == 200, init.text  # a token signed by the other process
            data = init.json()["data"]
            upload_as_client(data, path)
            progress = a.put(
                f"/api/v1/media/upload/progress/{data['sessionKey']}",
                json={"bytesUploaded": path.stat().st_size},
            )
            assert progress.status_code == 200, progress.text
            answers = _complete_on_both(a, b, data)
            assert {r.status_code for r in answers} == {200}, [r.text for r in answers]
            media_ids = {r.json()["data"]["id"] for r in answers}
            assert len(media_ids) == 1
            media_id = media_ids.pop()
            media = _wait_until_processed(b, media_id)
            assert media["status"] == "ready", media
            assert a.get(f"/api/v1/media/media/{media_id}").json()["data"]["width"] == 640
            listed = a.get("/api/v1/media/user/media").json()["data"]
            assert listed["total"] == 1
            served = httpx.get(media["cdnUrl"], timeout=60)
            assert served.status_code == 200 and len(served.content) == path.stat().st_size
        finally:
            first.stop()
            second.stop()


def _complete_on_both(a: httpx.Client, b: httpx.Client, data: dict[str, Any]) -> list[Any]:
    body = {"sessionKey": data["sessionKey"], "storageKey": data["storageKey"]}
    answers: list[Any] = []
    start = threading.Barrier(4)

    def send(client: httpx.Client) -> None:
        start.wait(timeout=60)
        answers.append(client.post("/api/v1/media/upload/complete", json=body))

    threads = [threading.Thread(target=send, args=(c,)) for c in (a, b, a, b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return answers


def _wait_until_processed(client: httpx.Client, media_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while True:
        media = client.get(f"/api/v1/media/media/{media_id}").json()["data"]
        if media["status"] in ("ready", "failed") or time.monotonic() > deadline:
            return dict(media)
        time.sleep(0.3)


def test_the_processing_lease_is_a_setting(sqlite_server: LiveServer, tmp_path: Path) -> None:
    settings = Settings.from_env({"PROCESSING_LEASE_SECONDS": "60"}, data_dir=tmp_path)
    assert settings.processing_lease_seconds == 60
    account = new_account(sqlite_server)
    meta = Measured(FAKE_META)
    with sqlite_server.session_factory() as db:
        media = MediaFile(
            user_id=account.user_id,
            filename="a.mp4",
            mime_type="video/mp4",
            file_size=1,
            storage_provider="backblaze_b2",
            bucket="b",
            storage_key=f"videos/{account.user_id}/a.mp4",
        )
        db.add(media)
        db.flush()
        job = ProcessingJob(media_file_id=media.id, state="running", claimed_by="gone")
        job.claimed_at = utcnow() - timedelta(minutes=2)
        db.add(job)
        db.commit()
        media_id = media.id
    storage = sqlite_server.app.state.storage
    patient = ProcessingWorker(sqlite_server.session_factory, storage, lambda _storage, _key: meta)
    assert patient.drain_once() == 0  # the default lease (10 minutes) has not run out
    eager = ProcessingWorker(
        sqlite_server.session_factory,
        storage,
        lambda _storage, _key: meta,
        lease=timedelta(seconds=settings.processing_lease_seconds),
    )
    assert eager.drain_once() == 1
    with sqlite_server.session_factory() as db:
        assert db.get(MediaFile, media_id).status == "ready"
