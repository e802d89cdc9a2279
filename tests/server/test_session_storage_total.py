"""An upload session's keys store its video and thumbnail, and nothing more.

The attack: a session declares a small video, then its key (or the browser token it comes
with) writes file after file under the caller's prefix, each under the per-file cap. The
store must refuse every write past the session's total, on every path that writes bytes.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
from b2sdk.v2 import exception as b2_exceptions

from server.services.uploads import THUMBNAIL_ALLOWANCE
from shared.media.hashing import sha1_file
from tests.server.flows import browser_post, complete, initiate, uploaded_media
from tests.support.api import new_account
from tests.support.b2 import master_api, scoped_bucket, upload_as_client
from tests.support.live_server import LiveServer

DECLARED = 6_000_000
ALLOWED = DECLARED + THUMBNAIL_ALLOWANCE
CHUNK = 3_000_000


def held_by_session(server: LiveServer, data: dict[str, Any]) -> int:
    """Every byte the store keeps under names the session wrote (all begin with its storage
    key): all stored versions, and the parts of unfinished large files, as the store's owner
    sees them."""
    bucket = master_api(server).get_bucket_by_name(data["b2"]["bucketName"])
    ours = data["storageKey"]
    stored = sum(
        version.size
        for version, _ in bucket.ls(data["b2"]["namePrefix"], latest_only=False, recursive=True)
        if version.action == "upload" and version.file_name.startswith(ours)
    )
    parts = sum(
        part.content_length
        for unfinished in bucket.list_unfinished_large_files(prefix=ours)
        for part in bucket.list_parts(unfinished.file_id)
    )
    return stored + parts


@pytest.fixture
def declared(sqlite_server: LiveServer, videos: dict[str, Path]) -> dict[str, Any]:
    """A session that declared a 6 MB video, and the account that opened it."""
    account = new_account(sqlite_server)
    return {**initiate(account, videos["mp4"], fileSize=DECLARED), "account": account}


def refused_for_room(answer: Any) -> bool:
    body = answer.json()
    return answer.status_code == 400 and body["code"] == "too_large" and "in all" in body["message"]


def test_the_browser_token_cannot_store_file_after_file_under_the_prefix(
    sqlite_server: LiveServer, declared: dict[str, Any]
) -> None:
    data = declared
    chunk = os.urandom(CHUNK)

    answers = [browser_post(data, f"{data['storageKey']}.{n}", chunk) for n in range(1, 7)]

    accepted = [a for a in answers if a.status_code == 200]
    assert len(accepted) == ALLOWED // CHUNK, [a.text for a in answers]
    assert all(refused_for_room(a) for a in answers[len(accepted) :]), answers[-1].text
    assert held_by_session(sqlite_server, data) <= ALLOWED


def test_renewed_credentials_share_the_sessions_total(
    sqlite_server: LiveServer, declared: dict[str, Any]
) -> None:
    data, account = declared, declared["account"]
    chunk = os.urandom(CHUNK)
    for n in (1, 2):
        assert browser_post(data, f"{data['storageKey']}.{n}", chunk).status_code == 200

    renewed = account.post(f"/api/v1/media/upload/credentials/{data['sessionKey']}")
    assert renewed.status_code == 200, renewed.text
    bucket = scoped_bucket(renewed.json()["data"])
    with pytest.raises(b2_exceptions.B2Error, match="in all"):
        bucket.upload_bytes(chunk, f"{data['storageKey']}.3")
    assert held_by_session(sqlite_server, data) <= ALLOWED


def test_large_file_parts_count_against_the_total(
    sqlite_server: LiveServer, declared: dict[str, Any], tmp_path: Path
) -> None:
    data = declared
    five_mb = tmp_path / "five.bin"
    five_mb.write_bytes(os.urandom(5_000_000))  # five 1 MiB parts: under the per-file cap
    bucket = scoped_bucket(data["b2"])
    bucket.upload_local_file(str(five_mb), f"{data['storageKey']}.a", min_part_size=1 << 20)
    with pytest.raises(b2_exceptions.B2Error):
        bucket.upload_local_file(str(five_mb), f"{data['storageKey']}.b", min_part_size=1 << 20)
    assert held_by_session(sqlite_server, data) <= ALLOWED


def test_server_side_copies_count_against_the_total(
    sqlite_server: LiveServer, videos: dict[str, Path]
) -> None:
    account = new_account(sqlite_server)
    lecture = uploaded_media(account, videos["large"])  # the caller's own 6 MB video
    declared = videos["large"].stat().st_size
    data = initiate(account, videos["mp4"], fileSize=declared)
    bucket = scoped_bucket(data["b2"])
    source = bucket.get_file_info_by_name(lecture["storageKey"])
    bucket.copy(source.id_, f"{data['storageKey']}.copy1")
    with pytest.raises(b2_exceptions.B2Error, match="in all"):
        bucket.copy(source.id_, f"{data['storageKey']}.copy2")

    session = bucket.api.session
    started = session.start_large_file(
        data["b2"]["bucketId"], f"{data['storageKey']}.parts", "video/mp4", {}
    )
    with pytest.raises(b2_exceptions.B2Error, match="in all"):
        for number in range(1, 4):
            session.copy_part(source.id_, started["fileId"], number, bytes_range=(0, CHUNK - 1))
    assert held_by_session(sqlite_server, data) <= declared + THUMBNAIL_ALLOWANCE


def test_an_honest_client_may_send_its_video_and_thumbnail_again(
    sqlite_server: LiveServer, videos: dict[str, Path]
) -> None:
    """A retry after a lost answer replaces what it repeats, so it never runs out of room."""
    account = new_account(sqlite_server)
    video = videos["large"]
    data = initiate(account, video)
    thumbnail = os.urandom(1_500_000)
    bucket = scoped_bucket(data["b2"])
    for _ in range(3):
        upload_as_client(data, video)
        bucket.upload_bytes(thumbnail, data["thumbnailKey"], content_type="image/jpeg")

    done = complete(account, data, sha1_file(video))
    assert done.status_code == 200, done.text
    store = master_api(sqlite_server).get_bucket_by_name(data["b2"]["bucketName"])
    assert store.get_file_info_by_name(data["storageKey"]).size == video.stat().st_size
    assert held_by_session(sqlite_server, data) == video.stat().st_size + len(thumbnail)
    assert hashlib.sha1(thumbnail).hexdigest() == (
        store.get_file_info_by_name(data["thumbnailKey"]).content_sha1
    )


def test_uploading_and_hiding_a_name_again_and_again_keeps_one_version(
    sqlite_server: LiveServer, declared: dict[str, Any]
) -> None:
    data = declared
    bucket = scoped_bucket(data["b2"])
    name = f"{data['storageKey']}.cycled"
    for _ in range(4):
        bucket.upload_bytes(os.urandom(1000), name)
        bucket.hide_file(name)
    bucket.upload_bytes(b"last", name)

    store = master_api(sqlite_server).get_bucket_by_name(data["b2"]["bucketName"])
    versions = [
        version
        for version, _ in store.ls(data["b2"]["namePrefix"], latest_only=False, recursive=True)
        if version.file_name == name
    ]
    assert [(v.action, v.size) for v in versions] == [("upload", 4)]
