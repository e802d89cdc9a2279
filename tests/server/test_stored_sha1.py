"""The SHA-1 of a stored video is taken by processing, which reads every stored byte anyway:
an uploader that hashes each part while sending it (B2 cannot take a large file's SHA-1
after it started) still gets duplicate detection, and a SHA-1 it declared is checked
against what the store holds."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from tests.server.flows import initiate
from tests.support.api import Account, new_account, processed_media
from tests.support.live_server import LiveServer
from tests.support.store_http import Store

PART = 5 * 1024 * 1024


def stored_in_parts(server: LiveServer, data: dict[str, Any], video: bytes) -> None:
    """Send ``video`` as a large file with the session's key, parts hashed one by one and
    no whole-file SHA-1 in its file info (what the daemon does)."""
    store = Store(server, (data["b2"]["keyId"], data["b2"]["applicationKey"]))
    file_id = store.start(data["storageKey"])
    parts = [video[i : i + PART] for i in range(0, len(video), PART)]
    for number, part in enumerate(parts, 1):
        assert store.part(file_id, number, part).status_code == 200
    assert store.finish(file_id, parts).status_code == 200


def sent_in_parts(
    server: LiveServer, account: Account, sample: Path, folder: Path
) -> tuple[bytes, dict[str, Any]]:
    """A session for the sample video followed by noise (2.5 parts; ffprobe reads the
    front), its bytes stored in parts; the video's bytes and the ``initiate`` answer."""
    video = sample.read_bytes()
    video += os.urandom(PART * 5 // 2 - len(video))
    path = folder / "lecture.mp4"
    path.write_bytes(video)
    data = initiate(account, path)
    stored_in_parts(server, data, video)
    return video, data


def initiated_with_sha1(account: Account, size: int, sha1: str) -> dict[str, Any]:
    """``initiate`` as the daemon sends it for a file it hashed first."""
    answer = account.post(
        "/api/v1/media/upload/initiate",
        json={
            "filename": "again.mp4",
            "fileSize": size,
            "contentType": "video/mp4",
            "contentSha1": sha1,
        },
    )
    return dict(answer.json()["data"])


def completed(account: Account, data: dict[str, Any], **extra: Any) -> dict[str, Any]:
    done = account.post(
        "/api/v1/media/upload/complete",
        json={"sessionKey": data["sessionKey"], "storageKey": data["storageKey"], **extra},
    )
    assert done.status_code == 200, done.text
    return dict(done.json()["data"])


def test_processing_records_the_sha1_of_a_video_sent_without_one(
    server: LiveServer, videos: dict[str, Path], tmp_path: Path
) -> None:
    account = new_account(server)
    video, data = sent_in_parts(server, account, videos["mp4"], tmp_path)
    media = completed(account, data)
    assert media["contentSha1"] is None, "nobody knew it yet"
    media = processed_media(account, media["id"])
    assert media["status"] == "ready", media["processingError"]
    assert media["contentSha1"] == hashlib.sha1(video).hexdigest()
    again = initiated_with_sha1(account, len(video), hashlib.sha1(video).hexdigest())
    assert again["duplicate"] is True and again["mediaFileId"] == media["id"]


def test_a_declared_sha1_that_the_stored_video_does_not_have_fails_processing(
    server: LiveServer, videos: dict[str, Path], tmp_path: Path
) -> None:
    """On B2 a large file's SHA-1 is not known to ``complete``: processing catches it."""
    account = new_account(server)
    video, data = sent_in_parts(server, account, videos["mp4"], tmp_path)
    media = completed(account, data, contentSha1=hashlib.sha1(b"other bytes").hexdigest())
    media = processed_media(account, media["id"])
    assert media["status"] == "failed"
    assert "SHA-1 differs" in media["processingError"]
    assert media["contentSha1"] == hashlib.sha1(video).hexdigest(), "what is stored"
    again = initiated_with_sha1(account, len(video), hashlib.sha1(b"other bytes").hexdigest())
    assert not again["duplicate"], "the file the uploader has may be sent again"


def test_videos_of_one_size_are_listed_for_their_owner_only(
    server: LiveServer, videos: dict[str, Path], tmp_path: Path
) -> None:
    owner, other = new_account(server), new_account(server)
    video, data = sent_in_parts(server, owner, videos["mp4"], tmp_path)
    media = completed(owner, data)
    size = len(video)

    def listed(account: Account, file_size: int) -> list[str]:
        page = account.get("/api/v1/media/user/media", params={"fileSize": file_size})
        assert page.status_code == 200, page.text
        return [m["id"] for m in page.json()["data"]["items"]]

    assert listed(owner, size) == [media["id"]]
    assert listed(owner, size + 1) == []
    assert listed(other, size) == []
