"""Bad input: each a 4xx with a clear message, and nothing written."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from server.db.models import UploadSession
from tests.support.api import new_account
from tests.support.live_server import LiveServer

GOOD = {"filename": "lecture.mp4", "fileSize": 1000, "contentType": "video/mp4"}


def sessions(server: LiveServer) -> int:
    with server.session_factory() as db:
        return int(db.execute(select(func.count(UploadSession.id))).scalar_one())


@pytest.mark.parametrize(
    ("body", "status", "code", "words"),
    [
        ({**GOOD, "fileSize": 0}, 422, "invalid_request", "fileSize"),
        ({**GOOD, "fileSize": -5}, 422, "invalid_request", "fileSize"),
        ({**GOOD, "fileSize": 10**15}, 413, "file_too_large", "limit is 500 MB"),
        ({**GOOD, "fileSize": "big"}, 422, "invalid_request", "fileSize"),
        ({k: v for k, v in GOOD.items() if k != "filename"}, 422, "invalid_request", "filename"),
        ({**GOOD, "filename": "lecture.exe"}, 422, "unsupported_format", ".exe"),
        ({**GOOD, "filename": "lecture"}, 422, "unsupported_format", "without an extension"),
        (
            {**GOOD, "contentType": "application/x-msdownload"},
            422,
            "unsupported_content_type",
            "does not match",
        ),
        (
            {**GOOD, "filename": "clip.mkv", "contentType": "video/x-matroska"},
            422,
            "unsupported_format",
            "allowed: mp4, webm, avi, mov",
        ),
        ({**GOOD, "contentSha1": "not-a-sha1"}, 422, "invalid_request", "contentSha1"),
        ({**GOOD, "courseId": "no-such-course"}, 404, "not_found", "course"),
    ],
)
def test_initiate_refuses_with_a_reason(
    server: LiveServer, body: dict[str, Any], status: int, code: str, words: str
) -> None:
    account = new_account(server)
    before = sessions(server)
    answer = account.post("/api/v1/media/upload/initiate", json=body)
    assert answer.status_code == status, answer.text
    assert answer.json()["success"] is False
    assert answer.json()["error"]["code"] == code
    assert words in answer.json()["error"]["message"]
    assert sessions(server) == before


def test_malformed_json_is_a_clear_422(server: LiveServer) -> None:
    account = new_account(server)
    answer = account.post(
        "/api/v1/media/upload/initiate",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["message"] == "the request body is not valid JSON"


@pytest.mark.parametrize(
    "name",
    [
        "../../../etc/passwd.mp4",
        "..\\..\\windows\\lecture.mp4",
        "/videos/other-user/lecture.mp4",
        "lec\x00ture\x1b[31m.mp4",
        "Vorlesung über Thermodynamik — Teil 2 🎓.mp4",
        "a" * 900 + ".mp4",
    ],
)
def test_hostile_names_stay_inside_the_users_prefix(server: LiveServer, name: str) -> None:
    account = new_account(server)
    answer = account.post("/api/v1/media/upload/initiate", json={**GOOD, "filename": name})
    assert answer.status_code == 200, answer.text
    key = answer.json()["data"]["storageKey"]
    prefix = f"videos/{account.user_id}/"
    assert key.startswith(prefix)
    rest = key[len(prefix) :]
    assert "/" not in rest and ".." not in rest and "\\" not in rest
    assert rest.isascii() and rest.isprintable() and rest.endswith(".mp4")
    assert len(key) < 200


def test_unknown_ids_are_404_not_500(server: LiveServer) -> None:
    account = new_account(server)
    assert account.get("/api/v1/media/media/nope").status_code == 404
    assert account.get("/api/v1/media/upload/progress/nope").status_code == 404
    answer = account.post(
        "/api/v1/media/upload/complete", json={"sessionKey": "nope", "storageKey": "videos/x"}
    )
    assert answer.status_code == 404


def test_list_parameters_are_validated(server: LiveServer) -> None:
    account = new_account(server)
    for params in ({"page": 0}, {"limit": 1000}, {"status": "weird"}):
        answer = account.get("/api/v1/media/user/media", params=params)
        assert answer.status_code == 422, params


def test_a_vanishing_upload_speed_is_400_not_an_overflow(server: LiveServer) -> None:
    account = new_account(server)
    started = account.post(
        "/api/v1/media/upload/initiate",
        json={"filename": "a.mp4", "fileSize": 100_000_000, "contentType": "video/mp4"},
    )
    key = started.json()["data"]["sessionKey"]
    answer = account.put(
        f"/api/v1/media/upload/progress/{key}",
        json={"bytesUploaded": 10, "uploadSpeedBps": 1e-300},
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "invalid_progress"
    slow = account.put(
        f"/api/v1/media/upload/progress/{key}", json={"bytesUploaded": 10, "uploadSpeedBps": 1}
    )
    assert slow.status_code == 200, slow.text
