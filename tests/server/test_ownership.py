"""The ownership matrix: user B acting on user A's resources gets 404, A's data unchanged."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.server.flows import uploaded_media
from tests.support.api import Account, add_course, new_account
from tests.support.live_server import LiveServer


@pytest.fixture(scope="module")
def victim(server: LiveServer, videos: dict[str, Path]) -> dict[str, Any]:
    owner = new_account(server)
    media = uploaded_media(owner, videos["mp4"])
    pending = owner.post(
        "/api/v1/media/upload/initiate",
        json={"filename": "draft.mp4", "fileSize": 1000, "contentType": "video/mp4"},
    ).json()["data"]
    _course, (video_id,) = add_course(server, owner)
    return {
        "owner": owner,
        "media": media,
        "session": pending["sessionKey"],
        "storage_key": pending["storageKey"],
        "video": video_id,
    }


def attempts(v: dict[str, Any]) -> list[tuple[str, str, dict[str, Any] | None]]:
    media_id, session = v["media"]["id"], v["session"]
    return [
        ("GET", f"/api/v1/media/media/{media_id}", None),
        ("POST", f"/api/v1/media/media/{media_id}/process", None),
        ("POST", f"/api/v1/media/media/{media_id}/attach-video", {"videoId": v["video"]}),
        ("DELETE", f"/api/v1/media/media/{media_id}", None),
        ("GET", f"/api/v1/media/upload/progress/{session}", None),
        ("PUT", f"/api/v1/media/upload/progress/{session}", {"bytesUploaded": 500}),
        ("POST", f"/api/v1/media/upload/credentials/{session}", None),
        (
            "POST",
            "/api/v1/media/upload/complete",
            {"sessionKey": session, "storageKey": v["storage_key"]},
        ),
        ("POST", f"/api/v1/media/upload/cancel/{session}", None),
    ]


def snapshot(owner: Account, v: dict[str, Any]) -> tuple[Any, Any, Any]:
    media = owner.get(f"/api/v1/media/media/{v['media']['id']}").json()["data"]
    progress = owner.get(f"/api/v1/media/upload/progress/{v['session']}").json()["data"]
    listing = owner.get("/api/v1/media/user/media").json()["data"]
    media.pop("status"), media.pop("updatedAt")  # the owner's own processing may move on
    return media, progress, listing["total"]


@pytest.mark.parametrize("index", range(9))
def test_another_user_is_refused_and_nothing_changes(
    server: LiveServer, victim: dict[str, Any], index: int
) -> None:
    intruder = new_account(server)
    before = snapshot(victim["owner"], victim)
    method, path, body = attempts(victim)[index]
    answer = intruder.client.request(method, path, json=body)
    assert answer.status_code == 404, f"{method} {path}: {answer.status_code} {answer.text}"
    error = answer.json()["error"]
    assert error["code"] == "not_found"
    assert victim["media"]["filename"] not in error["message"]
    assert victim["owner"].email not in answer.text
    assert snapshot(victim["owner"], victim) == before


def test_another_users_media_id_answers_like_a_random_one(
    server: LiveServer, victim: dict[str, Any]
) -> None:
    intruder = new_account(server)
    for template in ("/api/v1/media/media/{}", "/api/v1/media/upload/progress/{}"):
        real = victim["media"]["id"] if "media/media" in template else victim["session"]
        theirs = intruder.get(template.format(real))
        made_up = intruder.get(template.format(str(uuid.uuid4())))
        assert theirs.status_code == made_up.status_code == 404
        assert theirs.json() == made_up.json()


def test_another_users_media_never_appears_in_my_list(
    server: LiveServer, victim: dict[str, Any]
) -> None:
    intruder = new_account(server)
    listing = intruder.get("/api/v1/media/user/media").json()["data"]
    assert listing == {"items": [], "page": 1, "limit": 20, "total": 0}
    assert intruder.get("/api/v1/courses").json()["data"] == []
