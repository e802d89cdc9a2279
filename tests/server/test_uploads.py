"""The upload workflow end to end: initiate -> b2sdk with the scoped key -> complete."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from b2sdk.v2 import exception as b2_exceptions

from shared.media.hashing import sha1_file
from shared.media.validation import guess_content_type
from tests.support.api import Account, add_course, new_account
from tests.support.b2 import scoped_bucket, upload_as_client
from tests.support.live_server import LiveServer


def initiate(account: Account, path: Path, **extra: Any) -> dict[str, Any]:
    body = {
        "filename": path.name,
        "fileSize": path.stat().st_size,
        "contentType": guess_content_type(path),
        **extra,
    }
    answer = account.post("/api/v1/media/upload/initiate", json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]


def complete(account: Account, data: dict[str, Any], **extra: Any) -> httpx.Response:
    return account.post(
        "/api/v1/media/upload/complete",
        json={"sessionKey": data["sessionKey"], "storageKey": data["storageKey"], **extra},
    )


def test_full_upload_creates_an_owned_media_file_served_by_the_cdn_url(
    server: LiveServer, videos: dict[str, Path]
) -> None:
    account = new_account(server)
    path = videos["large"]
    data = initiate(account, path, contentSha1=sha1_file(path))
    assert data["storageKey"].startswith(f"videos/{account.user_id}/")
    assert data["b2"]["namePrefix"] == f"videos/{account.user_id}/"
    assert data["partSize"] >= 5 * 1024 * 1024
    assert data["uploadUrl"] and data["fields"]["key"] == data["storageKey"]
    upload_as_client(data, path)
    answer = complete(account, data, contentSha1=sha1_file(path))
    assert answer.status_code == 200, answer.text
    media = answer.json()["data"]
    assert media["userId"] == account.user_id
    assert media["fileSize"] == path.stat().st_size
    assert media["status"] in ("pending", "processing", "ready")
    served = httpx.get(media["cdnUrl"])
    assert hashlib.sha1(served.content).hexdigest() == sha1_file(path)
    ranged = httpx.get(media["cdnUrl"], headers={"Range": "bytes=100-199"})
    assert ranged.status_code == 206 and ranged.content == path.read_bytes()[100:200]


def test_a_client_sending_with_the_b2_key_gets_no_browser_target_and_completes(
    server: LiveServer, videos: dict[str, Path]
) -> None:
    """``browserUpload: false`` (the daemon): the answer carries the scoped key and no
    browser target, whose making costs two storage round trips before the first byte."""
    account = new_account(server)
    path = videos["mp4"]
    data = initiate(account, path, browserUpload=False)
    assert data["uploadUrl"] is None and data["fields"] is None
    assert data["b2"]["namePrefix"] == f"videos/{account.user_id}/"
    upload_as_client(data, path)
    answer = complete(account, data)
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["fileSize"] == path.stat().st_size


def test_check_size_first_opens_nothing_for_a_size_the_callers_library_holds(
    server: LiveServer, videos: dict[str, Path]
) -> None:
    """``checkSizeFirst``: a size the caller's library holds is answered without a session
    (the client hashes and asks again: a duplicate); any other size, or the same size in
    another user's library, opens the session in that same round trip."""
    account, other = new_account(server), new_account(server)
    path = videos["mp4"]
    sha1 = sha1_file(path)
    data = initiate(account, path, contentSha1=sha1)
    upload_as_client(data, path)
    done = complete(account, data, contentSha1=sha1)
    assert done.status_code == 200, done.text
    same = initiate(account, path, checkSizeFirst=True)
    assert same["sameSizeInLibrary"] is True
    assert same["sessionKey"] is None and same["b2"] is None
    hashed = initiate(account, path, checkSizeFirst=True, contentSha1=sha1)
    assert hashed["duplicate"] is True
    assert hashed["mediaFileId"] == done.json()["data"]["id"]
    theirs = initiate(other, path, checkSizeFirst=True)
    assert theirs["sameSizeInLibrary"] is False and theirs["sessionKey"]
    bigger = initiate(account, videos["large"], checkSizeFirst=True)
    assert bigger["sameSizeInLibrary"] is False and bigger["sessionKey"]


def test_one_ranged_read_tells_the_stored_videos_size_sha1_and_first_bytes(
    server: LiveServer, videos: dict[str, Path]
) -> None:
    """What ``complete`` checks comes from one store request: the size and SHA-1 of the
    whole stored file with its first bytes; nothing stored reads as nothing."""
    account = new_account(server)
    path = videos["large"]
    sha1 = sha1_file(path)
    data = initiate(account, path, contentSha1=sha1)
    upload_as_client(data, path)
    storage = server.app.state.storage
    found = storage.head_object(data["storageKey"], 16)
    assert found is not None
    stored, head = found
    assert (stored.size, stored.sha1, head) == (path.stat().st_size, sha1, path.read_bytes()[:16])
    assert stored == storage.stat_object(data["storageKey"])
    assert storage.head_object(data["storageKey"] + ".missing", 16) is None


def test_complete_says_storage_is_down_when_it_does_not_answer(
    server: LiveServer, videos: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Storage not answering the read of the stored video is a 503 the uploader retries,
    never a verdict on the upload (``object_missing``), and it creates nothing."""
    from b2sdk._internal.b2http import B2Http

    account = new_account(server)
    data = initiate(account, videos["mp4"])
    upload_as_client(data, videos["mp4"])

    def no_answer(*_args: Any, **_kwargs: Any) -> Any:
        raise b2_exceptions.B2ConnectionError("connection refused")

    with monkeypatch.context() as down:  # every request of the server's b2sdk fails
        down.setattr(B2Http, "request", no_answer)
        answer = complete(account, data)
    assert answer.status_code == 503, answer.text
    assert answer.json()["error"]["code"] == "storage_unavailable"
    assert account.get("/api/v1/media/user/media").json()["data"]["total"] == 0
    assert complete(account, data).status_code == 200  # storage back: the same call works


def test_complete_twice_returns_the_same_media_file(
    server: LiveServer, videos: dict[str, Path]
) -> None:
    account = new_account(server)
    data = initiate(account, videos["mp4"])
    upload_as_client(data, videos["mp4"])
    first, second = complete(account, data), complete(account, data)
    assert first.status_code == second.status_code == 200
    assert first.json()["data"]["id"] == second.json()["data"]["id"]
    listed = account.get("/api/v1/media/user/media").json()["data"]
    assert listed["total"] == 1


def test_complete_without_an_upload_is_refused_and_creates_nothing(
    server: LiveServer, videos: dict[str, Path]
) -> None:
    account = new_account(server)
    data = initiate(account, videos["mp4"])
    answer = complete(account, data)
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "object_missing"
    assert account.get("/api/v1/media/user/media").json()["data"]["total"] == 0


def test_complete_with_the_wrong_size_is_refused(
    server: LiveServer, videos: dict[str, Path]
) -> None:
    account = new_account(server)
    data = initiate(account, videos["mp4"])
    scoped_bucket(data["b2"]).upload_bytes(b"not the whole video", data["storageKey"])
    answer = complete(account, data)
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "size_mismatch"


def test_scoped_key_cannot_write_outside_the_users_prefix(
    server: LiveServer, videos: dict[str, Path]
) -> None:
    account, other = new_account(server), new_account(server)
    data = initiate(account, videos["mp4"])
    bucket = scoped_bucket(data["b2"])
    with pytest.raises(b2_exceptions.B2Error):
        bucket.upload_bytes(b"x" * 10, f"videos/{other.user_id}/planted.mp4")


def test_duplicate_content_is_detected_instead_of_uploaded(
    server: LiveServer, videos: dict[str, Path]
) -> None:
    account = new_account(server)
    path, sha1 = videos["webm"], sha1_file(videos["webm"])
    data = initiate(account, path, contentSha1=sha1)
    upload_as_client(data, path)
    media_id = complete(account, data, contentSha1=sha1).json()["data"]["id"]
    again = initiate(account, path, contentSha1=sha1)
    assert again["duplicate"] is True and again["mediaFileId"] == media_id
    assert again["sessionKey"] is None
    stranger = new_account(server)
    theirs = initiate(stranger, path, contentSha1=sha1)
    assert theirs["duplicate"] is False, "another user's file must never be revealed"


def test_progress_reports_update_speed_eta_and_keep_the_session_alive(
    server: LiveServer, videos: dict[str, Path]
) -> None:
    account = new_account(server)
    data = initiate(account, videos["large"])
    size = videos["large"].stat().st_size
    first = account.put(
        f"/api/v1/media/upload/progress/{data['sessionKey']}",
        json={"bytesUploaded": size // 2, "uploadSpeedBps": 1_000_000},
    )
    assert first.status_code == 200
    again = account.put(
        f"/api/v1/media/upload/progress/{data['sessionKey']}",
        json={"bytesUploaded": size // 2, "uploadSpeedBps": 1_000_000},
    )
    assert again.json()["data"] == first.json()["data"] | {
        "expiresAt": again.json()["data"]["expiresAt"]
    }
    progress = account.get(f"/api/v1/media/upload/progress/{data['sessionKey']}").json()["data"]
    assert progress["status"] == "uploading"
    assert progress["uploadProgress"] == pytest.approx(50, abs=0.1)
    assert progress["uploadSpeedMbps"] == pytest.approx(8.0)
    assert progress["etaSeconds"] == pytest.approx((size - size // 2) / 1_000_000, abs=1)
    too_much = account.put(
        f"/api/v1/media/upload/progress/{data['sessionKey']}", json={"bytesUploaded": size + 1}
    )
    assert too_much.status_code == 422


def test_fresh_credentials_replace_the_old_key(server: LiveServer, videos: dict[str, Path]) -> None:
    account = new_account(server)
    data = initiate(account, videos["mp4"])
    answer = account.post(f"/api/v1/media/upload/credentials/{data['sessionKey']}")
    assert answer.status_code == 200
    fresh = answer.json()["data"]
    assert fresh["keyId"] != data["b2"]["keyId"]
    with pytest.raises(b2_exceptions.B2Error):
        scoped_bucket(data["b2"])  # the old key was deleted
    upload_as_client({**data, "b2": fresh}, videos["mp4"])
    assert complete(account, data).status_code == 200


def test_cancel_ends_the_session_and_revokes_its_key(
    server: LiveServer, videos: dict[str, Path]
) -> None:
    account = new_account(server)
    data = initiate(account, videos["mp4"])
    bucket = scoped_bucket(data["b2"])
    unfinished_id = bucket.api.session.start_large_file(
        data["b2"]["bucketId"], data["storageKey"], "video/mp4", {}
    )["fileId"]
    answer = account.post(f"/api/v1/media/upload/cancel/{data['sessionKey']}")
    assert answer.status_code == 200
    assert account.post(f"/api/v1/media/upload/cancel/{data['sessionKey']}").status_code == 200
    progress = account.get(f"/api/v1/media/upload/progress/{data['sessionKey']}").json()["data"]
    assert progress["status"] == "cancelled"
    assert complete(account, data).status_code == 409
    master = server.app.state.storage
    api = master.api()
    left = list(
        api.get_bucket_by_id(data["b2"]["bucketId"]).list_unfinished_large_files(
            prefix=data["storageKey"]
        )
    )
    assert unfinished_id not in [f.file_id for f in left]
    with pytest.raises(b2_exceptions.B2Error):
        scoped_bucket(data["b2"])


def test_course_upload_needs_an_instructor_of_that_course(
    server: LiveServer, videos: dict[str, Path]
) -> None:
    owner, outsider = new_account(server), new_account(server)
    course_id, _ = add_course(server, owner)
    assert initiate(owner, videos["mp4"], courseId=course_id)["sessionKey"]
    body = {"filename": "a.mp4", "fileSize": 100, "contentType": "video/mp4", "courseId": course_id}
    refused = outsider.post("/api/v1/media/upload/initiate", json=body)
    assert refused.status_code == 403


def test_concurrent_upload_limit(server: LiveServer) -> None:
    account = new_account(server)
    body = {"filename": "a.mp4", "fileSize": 100, "contentType": "video/mp4"}
    limit = server.settings.policy.max_concurrent_uploads
    codes = [
        account.post("/api/v1/media/upload/initiate", json=body).status_code
        for _ in range(limit + 1)
    ]
    assert codes == [200] * limit + [429]


def test_complete_links_the_thumbnail_the_client_sent_and_only_one_that_is_there(
    server: LiveServer, videos: dict[str, Path]
) -> None:
    account = new_account(server)
    path = videos["mp4"]
    with_thumbnail = initiate(account, path)
    upload_as_client(with_thumbnail, path)
    picture = b"\xff\xd8\xff\xe0" + b"a lecture's first slide" + b"\xff\xd9"
    scoped_bucket(with_thumbnail["b2"]).upload_bytes(picture, with_thumbnail["thumbnailKey"])
    linked = complete(account, with_thumbnail, thumbnailUploaded=True)
    assert linked.status_code == 200, linked.text
    thumbnail_url = linked.json()["data"]["thumbnailUrl"]
    assert thumbnail_url and thumbnail_url.endswith(with_thumbnail["thumbnailKey"])
    assert httpx.get(thumbnail_url).content == picture

    claimed_only = initiate(account, path)
    upload_as_client(claimed_only, path)
    answer = complete(account, claimed_only, thumbnailUploaded=True)
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["thumbnailUrl"] is None
