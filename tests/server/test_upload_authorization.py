"""Attacks on the upload path: the browser token, students, and the integrity of complete."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest
from b2sdk.v2 import exception as b2_exceptions

from shared.media.hashing import sha1_file
from tests.server.flows import browser_post, complete, initiate, uploaded_media
from tests.support.api import add_user, new_account, sign_in
from tests.support.b2 import scoped_bucket, upload_as_client
from tests.support.live_server import LiveServer


def test_browser_upload_token_cannot_overwrite_another_users_video(
    sqlite_server: LiveServer, videos: dict[str, Path]
) -> None:
    victim, attacker = new_account(sqlite_server), new_account(sqlite_server)
    lecture = uploaded_media(victim, videos["mp4"])
    data = initiate(attacker, videos["mp4"])

    for target in (lecture["storageKey"], "videos/someone-else/x.mp4", "anything.mp4"):
        attack = browser_post(data, target, b"not the lecture")
        assert attack.status_code == 401, (target, attack.text)
    served = httpx.get(lecture["cdnUrl"], timeout=60)
    assert served.content == videos["mp4"].read_bytes()

    own = browser_post(data, data["storageKey"], videos["mp4"].read_bytes())
    assert own.status_code == 200, own.text


def test_browser_upload_token_dies_with_the_session(
    sqlite_server: LiveServer, videos: dict[str, Path]
) -> None:
    account = new_account(sqlite_server)
    data = initiate(account, videos["mp4"])
    cancelled = account.post(f"/api/v1/media/upload/cancel/{data['sessionKey']}")
    assert cancelled.status_code == 200, cancelled.text
    late = browser_post(data, data["storageKey"], videos["mp4"].read_bytes())
    assert late.status_code == 401, late.text


def test_students_cannot_initiate_uploads(
    sqlite_server: LiveServer, videos: dict[str, Path]
) -> None:
    student = sign_in(sqlite_server, add_user(sqlite_server, role="student"))
    path = videos["mp4"]
    answer = student.post(
        "/api/v1/media/upload/initiate",
        json={"filename": path.name, "fileSize": path.stat().st_size, "contentType": "video/mp4"},
    )
    assert answer.status_code == 403, answer.text
    assert answer.json()["error"]["code"] == "forbidden"
    admin = sign_in(sqlite_server, add_user(sqlite_server, role="admin"))
    assert initiate(admin, path)["sessionKey"]


def test_complete_refuses_a_stored_object_whose_sha1_differs(
    sqlite_server: LiveServer, videos: dict[str, Path]
) -> None:
    account = new_account(sqlite_server)
    path = videos["mp4"]
    data = initiate(account, path)
    upload_as_client(data, path)
    other = hashlib.sha1(b"a different video").hexdigest()
    answer = account.post(
        "/api/v1/media/upload/complete",
        json={
            "sessionKey": data["sessionKey"],
            "storageKey": data["storageKey"],
            "contentSha1": other,
        },
    )
    assert answer.status_code == 409, answer.text
    assert answer.json()["error"]["code"] == "sha1_mismatch"
    right = complete(account, data, sha1_file(path))
    assert right.status_code == 200, right.text


def test_complete_refuses_a_large_file_whose_sha1_differs(
    sqlite_server: LiveServer, videos: dict[str, Path]
) -> None:
    account = new_account(sqlite_server)
    path = videos["large"]
    data = initiate(account, path)
    upload_as_client(data, path)
    answer = complete(account, data, hashlib.sha1(b"x").hexdigest())
    assert answer.status_code == 409, answer.text
    assert answer.json()["error"]["code"] == "sha1_mismatch"


def test_a_session_key_stores_no_file_larger_than_the_session_declared(
    sqlite_server: LiveServer, videos: dict[str, Path], tmp_path: Path
) -> None:
    account = new_account(sqlite_server)
    declared = videos["large"]  # 6 MB: above the thumbnail allowance
    data = initiate(account, declared)
    bigger = tmp_path / "bigger.mp4"
    bigger.write_bytes(declared.read_bytes() + b"\0" * 3_000_000)
    bucket = scoped_bucket(data["b2"])
    with pytest.raises(b2_exceptions.B2Error):
        bucket.upload_local_file(str(bigger), data["storageKey"], min_part_size=1 << 20)
    with pytest.raises(b2_exceptions.B2Error):
        bucket.upload_bytes(bigger.read_bytes(), f"{data['b2']['namePrefix']}other.mp4")
    too_big = browser_post(data, data["storageKey"], bigger.read_bytes())
    assert too_big.status_code == 400, too_big.text
    # The refused attempts went in parts; those that arrived before the refusal count
    # against the session's allowance until the client cancels what it abandoned.
    for unfinished in bucket.list_unfinished_large_files(prefix=data["b2"]["namePrefix"]):
        bucket.cancel_large_file(unfinished.file_id)
    upload_as_client(data, declared)
    assert complete(account, data, sha1_file(declared)).status_code == 200
