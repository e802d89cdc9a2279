"""The user's library on the server (media files, courses), through the daemon's sign-in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from daemon.core.account import SIGNED_OUT_NOTICE
from daemon.core.errors import InvalidRequest
from daemon.serverapi.client import ServerClient
from daemon.serverapi.errors import NotSignedIn
from shared.api_schemas import CourseOut, MediaFileOut, MediaPage


class Library:
    def __init__(self, client: Callable[[], ServerClient | None]) -> None:
        self._client = client

    def client(self) -> ServerClient:
        client = self._client()
        if client is None:
            raise NotSignedIn(SIGNED_OUT_NOTICE)
        return client

    def media(
        self, page: int = 1, limit: int = 50, type: str | None = None, status: str | None = None
    ) -> MediaPage:
        return self.client().list_media(page=page, limit=limit, type=type, status=status)

    def media_file(self, media_id: str) -> MediaFileOut:
        return self.client().get_media(media_id)

    def delete(self, media_id: str) -> dict[str, Any]:
        return self.client().delete_media(media_id)

    def attach(self, media_id: str, video_id: str) -> dict[str, Any]:
        return self.client().attach(media_id, video_id)

    def courses(self) -> list[CourseOut]:
        return self.client().courses()

    def check_course(self, course_id: str) -> None:
        """Refuse a course the user does not teach, before any job is created for it."""
        if not any(course.id == course_id for course in self.courses()):
            raise InvalidRequest(
                f"course {course_id!r} is not one of your courses (see `reeldrop courses`)",
                "unknown_course",
            )
