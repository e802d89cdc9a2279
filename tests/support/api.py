"""Helpers for talking to the media API as a particular user."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from server.auth.passwords import hash_password
from server.db.models import Course, User, Video
from tests.support.live_server import LiveServer

PASSWORD = "correct horse battery"


@dataclass
class Account:
    user_id: str
    email: str
    token: str
    refresh_token: str
    client: httpx.Client

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.client.get(path, **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return self.client.post(path, **kw)

    def put(self, path: str, **kw: Any) -> httpx.Response:
        return self.client.put(path, **kw)

    def delete(self, path: str, **kw: Any) -> httpx.Response:
        return self.client.delete(path, **kw)


def add_user(server: LiveServer, role: str = "instructor", email: str | None = None) -> str:
    email = email or f"{role}-{uuid.uuid4().hex[:10]}@example.edu"
    with server.session_factory() as db:
        db.add(
            User(
                email=email,
                password_hash=hash_password(PASSWORD),
                role=role,
                display_name=email.split("@")[0],
            )
        )
        db.commit()
    return email


def sign_in(server: LiveServer, email: str) -> Account:
    answer = httpx.post(
        f"{server.url}/api/v1/auth/login", json={"email": email, "password": PASSWORD}, timeout=30
    )
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    client = httpx.Client(
        base_url=server.url, timeout=60, headers={"Authorization": f"Bearer {data['accessToken']}"}
    )
    return Account(data["user"]["id"], email, data["accessToken"], data["refreshToken"], client)


def new_account(server: LiveServer, role: str = "instructor") -> Account:
    return sign_in(server, add_user(server, role))


def add_course(server: LiveServer, instructor: Account, videos: int = 1) -> tuple[str, list[str]]:
    with server.session_factory() as db:
        user = db.get(User, instructor.user_id)
        course = Course(title=f"Course {uuid.uuid4().hex[:6]}", instructors=[user])
        db.add(course)
        db.flush()
        video_ids = []
        for n in range(videos):
            video = Video(course_id=course.id, title=f"Lecture {n + 1}", position=n)
            db.add(video)
            db.flush()
            video_ids.append(video.id)
        db.commit()
        return course.id, video_ids


def processed_media(
    account: Account | httpx.Client, media_id: str, timeout: float = 60
) -> dict[str, Any]:
    """The media file once the server's processing has measured it (ready or failed)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        media = dict(account.get(f"/api/v1/media/media/{media_id}").json()["data"])
        if media["status"] in ("ready", "failed"):
            return media
        if time.monotonic() > deadline:
            raise AssertionError(f"media {media_id} was never processed: {media['status']}")
        time.sleep(0.1)
