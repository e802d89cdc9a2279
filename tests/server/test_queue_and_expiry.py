"""The processing queue hands each job to exactly one worker; silent sessions expire and the
reaper leaves nothing usable behind."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from b2sdk.v2 import exception as b2_exceptions
from sqlalchemy import select

from server.db.models import MediaFile, ProcessingJob, UploadSession
from server.db.types import utcnow
from server.services.processing import Measured, ProcessingWorker, enqueue_processing
from server.services.reaper import reap_once
from server.storage.base import StorageService
from shared.media.metadata import VideoMetadata
from tests.support.api import new_account
from tests.support.b2 import scoped_bucket
from tests.support.live_server import LiveServer

FAKE_META = VideoMetadata(
    duration_seconds=1,
    width=640,
    height=360,
    display_width=640,
    display_height=360,
    codec="h264",
    container="mp4",
    video_quality="360p",
)


def make_media(server: LiveServer, user_id: str, count: int) -> list[str]:
    ids = []
    with server.session_factory() as db:
        for n in range(count):
            media = MediaFile(
                user_id=user_id,
                filename=f"{n}.mp4",
                mime_type="video/mp4",
                file_size=1,
                storage_provider="backblaze_b2",
                bucket="b",
                storage_key=f"videos/{user_id}/{n}.mp4",
            )
            db.add(media)
            db.flush()
            enqueue_processing(db, media.id)
            ids.append(media.id)
        db.commit()
    return ids


def test_concurrent_workers_process_each_job_exactly_once(server: LiveServer) -> None:
    account = new_account(server)
    ids = make_media(server, account.user_id, 12)
    seen: list[str] = []
    lock = threading.Lock()

    def processor(_storage: StorageService, key: str) -> Measured:
        with lock:
            seen.append(key)
        return Measured(FAKE_META)

    server.app.state.worker.stop()  # only the two workers below may take jobs
    workers = [
        ProcessingWorker(server.session_factory, server.app.state.storage, processor)
        for _ in range(2)
    ]
    threads = [threading.Thread(target=w.drain_once) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    mine = [u for u in seen if f"videos/{account.user_id}/" in u]
    assert len(mine) == 12 and len(set(mine)) == 12
    with server.session_factory() as db:
        jobs = (
            db.execute(select(ProcessingJob).where(ProcessingJob.media_file_id.in_(ids)))
            .scalars()
            .all()
        )
        assert {j.state for j in jobs} == {"done"}
        assert {db.get(MediaFile, i).status for i in ids} == {"ready"}
    server.app.state.worker.__init__(server.session_factory, server.app.state.storage)
    server.app.state.worker.start()


def test_a_job_claimed_by_a_dead_worker_is_taken_again(server: LiveServer) -> None:
    account = new_account(server)
    (media_id,) = make_media(server, account.user_id, 1)
    with server.session_factory() as db:
        job = db.execute(
            select(ProcessingJob).where(ProcessingJob.media_file_id == media_id)
        ).scalar_one()
        job.state, job.claimed_by = "running", "dead-worker"
        job.claimed_at = utcnow() - timedelta(hours=1)
        db.commit()
    worker = ProcessingWorker(
        server.session_factory, server.app.state.storage, lambda _storage, _key: Measured(FAKE_META)
    )
    worker.drain_once()
    with server.session_factory() as db:
        assert db.get(MediaFile, media_id).status == "ready"


@pytest.mark.parametrize("report_first", [False, True])
def test_silent_sessions_expire_and_lose_their_keys(
    server: LiveServer, videos: dict[str, Path], report_first: bool
) -> None:
    account = new_account(server)
    data = account.post(
        "/api/v1/media/upload/initiate",
        json={"filename": "a.mp4", "fileSize": 1000, "contentType": "video/mp4"},
    ).json()["data"]
    key = data["b2"]
    if report_first:
        account.put(
            f"/api/v1/media/upload/progress/{data['sessionKey']}", json={"bytesUploaded": 10}
        )
    with server.session_factory() as db:
        session = db.execute(
            select(UploadSession).where(UploadSession.session_key == data["sessionKey"])
        ).scalar_one()
        session.expires_at = utcnow() - timedelta(seconds=1)
        db.commit()
    progress = account.get(f"/api/v1/media/upload/progress/{data['sessionKey']}").json()["data"]
    assert progress["status"] == "expired"
    late = account.put(
        f"/api/v1/media/upload/progress/{data['sessionKey']}", json={"bytesUploaded": 20}
    )
    assert late.status_code == 409 and "expired" in late.json()["error"]["message"]
    reap_once(server.session_factory, server.app.state.storage)
    with pytest.raises(b2_exceptions.B2Error):
        scoped_bucket(key)


def test_progress_pushes_the_expiry_forward(server: LiveServer) -> None:
    account = new_account(server)
    data = account.post(
        "/api/v1/media/upload/initiate",
        json={"filename": "a.mp4", "fileSize": 1000, "contentType": "video/mp4"},
    ).json()["data"]
    with server.session_factory() as db:
        session = db.execute(
            select(UploadSession).where(UploadSession.session_key == data["sessionKey"])
        ).scalar_one()
        session.expires_at = utcnow() + timedelta(seconds=5)
        db.commit()
    answer = account.put(
        f"/api/v1/media/upload/progress/{data['sessionKey']}", json={"bytesUploaded": 10}
    ).json()["data"]
    from datetime import datetime

    expires = datetime.fromisoformat(answer["expiresAt"])
    timeout = server.settings.policy.upload_session_timeout
    assert expires > utcnow() + timedelta(seconds=timeout - 60)
