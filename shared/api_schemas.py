"""Wire schemas of the server API (camelCase JSON), shared by the server and the daemon.

Every response is wrapped as ``{"success": true, "data": ...}``; every error as
``{"success": false, "error": {"code": ..., "message": ...}}``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from shared.media.metadata import VideoMetadata

T = TypeVar("T")

SHA1_PATTERN = r"^[0-9a-f]{40}$"

UploadStatus = Literal[
    "initiated", "uploading", "completing", "completed", "failed", "expired", "cancelled"
]
MediaStatus = Literal["pending", "processing", "ready", "failed"]
Role = Literal["instructor", "admin", "student"]


class ApiModel(BaseModel):
    """Base: camelCase aliases on the wire, snake_case in Python."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class Envelope(ApiModel, Generic[T]):
    success: Literal[True] = True
    data: T


class ErrorBody(ApiModel):
    code: str
    message: str


class ErrorEnvelope(ApiModel):
    success: Literal[False] = False
    error: ErrorBody


# --- auth -------------------------------------------------------------------------------


class LoginRequest(ApiModel):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class RefreshRequest(ApiModel):
    refresh_token: str = Field(min_length=1, max_length=4096)


class UserOut(ApiModel):
    id: str
    email: str
    display_name: str
    role: Role


class TokenPair(ApiModel):
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: Literal["Bearer"] = "Bearer"
    user: UserOut


# --- upload -----------------------------------------------------------------------------


class InitiateRequest(ApiModel):
    filename: str = Field(min_length=1, max_length=1024)
    file_size: int = Field(gt=0)
    content_type: str = Field(min_length=1, max_length=255)
    course_id: str | None = Field(default=None, max_length=64)
    content_sha1: str | None = Field(default=None, pattern=SHA1_PATTERN)
    check_size_first: bool = False
    """Without ``content_sha1``: if the caller's library holds a video of exactly this size
    (one ``content_sha1`` could find a duplicate of), open nothing and answer
    ``same_size_in_library``; the client then hashes the file and asks again with its SHA-1.
    Otherwise the session opens at once: one round trip, where asking the library first
    and then initiating took two."""
    browser_upload: bool = True
    """False: the client sends the file with the scoped B2 key (``b2`` in the answer), so
    the browser's upload target (``uploadUrl``, ``fields``) is neither made nor sent:
    making it costs two storage round trips on the way to the client's first byte."""


class B2UploadKey(ApiModel):
    """A B2 application key scoped to this user's prefix, for b2sdk clients."""

    realm_url: str
    key_id: str
    application_key: str
    bucket_name: str
    bucket_id: str
    name_prefix: str
    expires_at: datetime


class MediaFileOut(ApiModel):
    id: str
    user_id: str
    filename: str
    file_type: str
    mime_type: str
    file_size: int
    storage_provider: str
    bucket: str
    storage_key: str
    storage_url: str | None = None
    cdn_url: str | None = None
    thumbnail_url: str | None = None
    status: MediaStatus
    processing_error: str | None = None
    duration_seconds: float | None = None
    width: int | None = None
    height: int | None = None
    codec: str | None = None
    bitrate: int | None = None
    frame_rate: float | None = None
    video_quality: str | None = None
    content_sha1: str | None = None
    course_id: str | None = None
    created_at: datetime
    updated_at: datetime


class InitiateResponse(ApiModel):
    """A new upload session, or (``duplicate``) the caller's existing copy of the content."""

    duplicate: bool = False
    same_size_in_library: bool = False
    """``check_size_first`` found a video of this size: no session was opened."""
    media_file_id: str | None = None
    media_file: MediaFileOut | None = None
    session_key: str | None = None
    upload_url: str | None = None
    fields: dict[str, str] | None = None
    storage_key: str | None = None
    thumbnail_key: str | None = None
    expires_in: int | None = None
    b2: B2UploadKey | None = None
    part_size: int | None = None


class CompleteRequest(ApiModel):
    session_key: str = Field(min_length=1, max_length=64)
    storage_key: str = Field(min_length=1, max_length=1024)
    content_sha1: str | None = Field(default=None, pattern=SHA1_PATTERN)
    metadata: VideoMetadata | None = None
    thumbnail_uploaded: bool = False


class ProgressReport(ApiModel):
    bytes_uploaded: int = Field(ge=0)
    upload_speed_bps: float | None = Field(default=None, ge=0)


class ProgressOut(ApiModel):
    session_key: str
    status: UploadStatus
    bytes_uploaded: int
    total_bytes: int
    upload_progress: float
    upload_speed_mbps: float | None = None
    eta_seconds: int | None = None
    error: str | None = None
    expires_at: datetime
    media_file_id: str | None = None


# --- media, courses ---------------------------------------------------------------------


class MediaPage(ApiModel):
    items: list[MediaFileOut]
    page: int
    limit: int
    total: int


class AttachRequest(ApiModel):
    video_id: str = Field(min_length=1, max_length=64)


class VideoOut(ApiModel):
    id: str
    course_id: str
    title: str
    media_file_id: str | None = None
    video_quality: str | None = None
    has_captions: bool = False
    caption_languages: list[str] = Field(default_factory=list)


class CourseOut(ApiModel):
    id: str
    title: str
    videos: list[VideoOut] = Field(default_factory=list)


def envelope(data: Any) -> dict[str, Any]:
    """Wrap a model (or list of models) the way every success response is wrapped."""
    if isinstance(data, BaseModel):
        payload: Any = data.model_dump(mode="json", by_alias=True)
    elif isinstance(data, list):
        payload = [
            item.model_dump(mode="json", by_alias=True) if isinstance(item, BaseModel) else item
            for item in data
        ]
    else:
        payload = data
    return {"success": True, "data": payload}
