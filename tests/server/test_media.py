"""Media management: server-side processing, listing, attaching, soft delete, policy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from server.db.models import MediaFile, Video
from shared.media.hashing import sha1_file
from tests.server.flows import complete, initiate, uploaded_media
from tests.support.api import Account, add_course, new_account
from tests.support.b2 import upload_as_client
from tests.support.live_server import LiveServer


def wait_for_status(account: Account, media_id: str, wanted: set[str]) -> dict[str, Any]:
    import time

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        media = account.get(f"/api/v1/media/media/{media_id}").json()["data"]
        if media["status"] in wanted:
            return media  # type: ignore[no-any-return]
        time.sleep(0.1)
    raise AssertionError(f"media {media_id} never reached {wanted}")


def test_processing_measures_the_stored_video_and_wins_over_the_client(
    server: LiveServer, videos: dict[str, Path]
) -> None:
    account = new_account(server)
    media = uploaded_media(account, videos["hd"], courseId=None)
    with server.session_factory() as db:  # a client that lied about the size
        row = db.get(MediaFile, media["id"])
        row.width, row.height, row.video_quality = 1, 1, "360p"
        db.commit()
    account.post(f"/api/v1/media/media/{media['id']}/process")
    ready = wait_for_status(account, media["id"], {"ready", "failed"})
    assert ready["status"] == "ready", ready["processingError"]
    assert (ready["width"], ready["height"]) == (1920, 1080)
    assert ready["videoQuality"] == "1080p"
    assert ready["codec"] == "h264" and ready["durationSeconds"] == pytest.approx(1, abs=0.1)


def test_processing_a_stored_non_video_fails_with_a_reason(
    server: LiveServer, videos: dict[str, Path]
) -> None:
    """A cut-off recording starts like a video (so complete takes it) but cannot be measured."""
    account = new_account(server)
    media = uploaded_media(account, videos["truncated"])
    failed = wait_for_status(account, media["id"], {"ready", "failed"})
    assert failed["status"] == "failed"
    assert "recording.mp4" in failed["processingError"]
    assert "moov" in failed["processingError"]


def test_complete_refuses_a_text_file_named_like_a_video(
    server: LiveServer, videos: dict[str, Path]
) -> None:
    account = new_account(server)
    data = initiate(account, videos["text"])
    upload_as_client(data, videos["text"])
    answer = complete(account, data, sha1_file(videos["text"]))
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "unsupported_container"


def test_list_is_paginated_filtered_and_only_mine(
    server: LiveServer, videos: dict[str, Path]
) -> None:
    account, other = new_account(server), new_account(server)
    ids = {uploaded_media(account, videos[k])["id"] for k in ("mp4", "webm", "mov")}
    uploaded_media(other, videos["avi"])
    page1 = account.get("/api/v1/media/user/media", params={"page": 1, "limit": 2}).json()["data"]
    page2 = account.get("/api/v1/media/user/media", params={"page": 2, "limit": 2}).json()["data"]
    assert page1["total"] == page2["total"] == 3
    assert (page1["page"], page1["limit"]) == (1, 2)
    assert {m["id"] for m in page1["items"] + page2["items"]} == ids
    assert all(m["userId"] == account.user_id for m in page1["items"])
    videos_only = account.get("/api/v1/media/user/media", params={"type": "video"}).json()
    assert videos_only["data"]["total"] == 3
    none = account.get("/api/v1/media/user/media", params={"type": "image"}).json()
    assert none["data"]["total"] == 0


def test_attach_to_a_course_video_i_instruct(server: LiveServer, videos: dict[str, Path]) -> None:
    account = new_account(server)
    _course_id, (video_id,) = add_course(server, account)
    media = uploaded_media(account, videos["mp4"])
    answer = account.post(
        f"/api/v1/media/media/{media['id']}/attach-video", json={"videoId": video_id}
    )
    assert answer.status_code == 200, answer.text
    courses = account.get("/api/v1/courses").json()["data"]
    attached = [v for c in courses for v in c["videos"] if v["id"] == video_id]
    assert attached[0]["mediaFileId"] == media["id"]


def test_attach_to_a_course_i_do_not_instruct_is_refused(
    server: LiveServer, videos: dict[str, Path]
) -> None:
    owner, outsider = new_account(server), new_account(server)
    _course_id, (video_id,) = add_course(server, owner)
    media = uploaded_media(outsider, videos["mp4"])
    answer = outsider.post(
        f"/api/v1/media/media/{media['id']}/attach-video", json={"videoId": video_id}
    )
    assert answer.status_code == 403
    with server.session_factory() as db:
        assert db.get(Video, video_id).media_file_id is None


def course_video(account: Account, video_id: str) -> dict[str, Any]:
    courses = account.get("/api/v1/courses").json()["data"]
    (video,) = [v for c in courses for v in c["videos"] if v["id"] == video_id]
    return video  # type: ignore[no-any-return]


def test_delete_is_soft_and_hides_the_file(server: LiveServer, videos: dict[str, Path]) -> None:
    account = new_account(server)
    _course_id, (video_id,) = add_course(server, account)
    media = uploaded_media(account, videos["mov"])
    with server.session_factory() as db:
        db.get(MediaFile, media["id"]).video_quality = "360p"
        db.commit()
    account.post(f"/api/v1/media/media/{media['id']}/attach-video", json={"videoId": video_id})
    assert course_video(account, video_id)["videoQuality"] == "360p"
    assert account.delete(f"/api/v1/media/media/{media['id']}").status_code == 200
    detached = course_video(account, video_id)
    assert (detached["mediaFileId"], detached["videoQuality"]) == (None, None)
    assert account.get(f"/api/v1/media/media/{media['id']}").status_code == 404
    assert account.get("/api/v1/media/user/media").json()["data"]["total"] == 0
    with server.session_factory() as db:
        row = db.get(MediaFile, media["id"])
        assert row is not None and row.deleted_at is not None and row.deleted_by == account.user_id
        assert db.get(Video, video_id).media_file_id is None
        assert db.execute(select(MediaFile).where(MediaFile.id == media["id"])).scalar_one()


def test_deleted_media_is_no_longer_downloadable(
    server: LiveServer, videos: dict[str, Path]
) -> None:
    import httpx

    account = new_account(server)
    media = uploaded_media(account, videos["mp4"])
    for url in (media["cdnUrl"], media["storageUrl"]):
        assert httpx.get(url, timeout=60).status_code == 200
    assert account.delete(f"/api/v1/media/media/{media['id']}").status_code == 200
    for url in (media["cdnUrl"], media["storageUrl"]):
        assert httpx.get(url, timeout=60).status_code == 404, url


def test_delete_while_storage_does_not_answer_is_refused_and_keeps_the_media(
    server: LiveServer, videos: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that could not be hidden must not be reported deleted: its URLs would go on
    serving it once storage answers again. The user is told to retry, and nothing moves."""
    import httpx
    from b2sdk._internal.b2http import B2Http
    from b2sdk.v2 import exception as b2_exceptions

    account = new_account(server)
    media = uploaded_media(account, videos["mp4"])

    def no_answer(*_args: Any, **_kwargs: Any) -> Any:
        raise b2_exceptions.B2ConnectionError("connection refused")

    with monkeypatch.context() as down:  # every request of the server's b2sdk fails
        down.setattr(B2Http, "request", no_answer)
        refused = account.delete(f"/api/v1/media/media/{media['id']}")
    assert refused.status_code == 503, refused.text
    assert "retry" in refused.json()["error"]["message"]
    assert account.get(f"/api/v1/media/media/{media['id']}").status_code == 200
    assert account.delete(f"/api/v1/media/media/{media['id']}").status_code == 200
    assert httpx.get(media["cdnUrl"], timeout=60).status_code == 404


def test_policy_lists_the_limits_from_the_environment(server: LiveServer) -> None:
    import httpx

    policy = httpx.get(f"{server.url}/api/v1/media/policy").json()["data"]
    assert policy["maxVideoSizeMb"] == 500
    assert policy["allowedVideoFormats"] == ["mp4", "webm", "avi", "mov"]
    assert (policy["minVideoWidth"], policy["minVideoHeight"]) == (320, 240)
    assert policy["maxVideoDurationSeconds"] == 7200
    assert policy["maxFileSizeBytes"] == 500 * 1024 * 1024
