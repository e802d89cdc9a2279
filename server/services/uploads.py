"""Upload sessions: initiate, progress, fresh credentials, complete and cancel.

Every call is idempotent where a client may repeat it (a lost answer is retried by the
daemon's outbox), and a session's expiry counts from its last sign of life.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server import metrics
from server.api.errors import ApiError
from server.config import Settings
from server.db.models import MediaFile, UploadSession, User
from server.db.types import utcnow
from server.services import storage_keys
from server.services.ownership import instructed_course
from server.services.processing import enqueue_processing
from server.storage.base import ScopedUploadKey, StorageError, StorageService, UploadAllowance
from shared.api_schemas import B2UploadKey, CompleteRequest, InitiateRequest, ProgressReport

log = logging.getLogger(__name__)

ACTIVE = ("initiated", "uploading")
MIN_PART_SIZE = 5 * 1024 * 1024
THUMBNAIL_ALLOWANCE = 2 * 1024 * 1024
MAX_ETA_SECONDS = 10 * 365 * 24 * 3600  # fits every database's integer column


def key_out(key: object) -> B2UploadKey:
    return B2UploadKey.model_validate(key, from_attributes=True)


UPLOADER_ROLES = ("instructor", "admin")


def require_uploader(user: User) -> None:
    """Only instructors and admins put videos into storage; students watch them."""
    if user.role not in UPLOADER_ROLES:
        raise ApiError(403, "forbidden", "only instructors and admins can upload videos")


def check_request(body: InitiateRequest, settings: Settings) -> str:
    """Validate name, extension, content type and size against the policy; the extension."""
    policy = settings.policy
    ext = storage_keys.extension_of(body.filename)
    if ext not in policy.allowed_video_formats:
        allowed = ", ".join(policy.allowed_video_formats)
        shown = f".{ext} files are" if ext else "files without an extension are"
        raise ApiError(422, "unsupported_format", f"{shown} not accepted; allowed: {allowed}")
    if body.content_type.lower() not in policy.content_types_for(ext):
        raise ApiError(
            422,
            "unsupported_content_type",
            f"content type {body.content_type!r} does not match a .{ext} video",
        )
    if body.file_size > policy.max_file_size_bytes:
        raise ApiError(
            413,
            "file_too_large",
            f"the file is {body.file_size / 1048576:.1f} MB; "
            f"the limit is {policy.max_video_size_mb} MB",
        )
    try:
        storage_keys.safe_name(body.filename)
    except storage_keys.UnsafeFilename as exc:
        raise ApiError(422, "invalid_filename", str(exc)) from None
    return ext


def find_duplicate(db: Session, user: User, sha1: str | None) -> MediaFile | None:
    if not sha1:
        return None
    return (
        db.execute(
            select(MediaFile)
            .where(
                MediaFile.user_id == user.id,
                MediaFile.content_sha1 == sha1,
                MediaFile.deleted_at.is_(None),
                MediaFile.status != "failed",  # a failed upload may be sent again
            )
            .order_by(MediaFile.created_at)
        )
        .scalars()
        .first()
    )


def holds_size(db: Session, user: User, size: int) -> bool:
    """Whether the user's library holds a video of ``size`` bytes that ``find_duplicate``
    could match (its SHA-1 known): only then is hashing a file of that size worth it."""
    return (
        db.execute(
            select(MediaFile.id)
            .where(
                MediaFile.user_id == user.id,
                MediaFile.file_size == size,
                MediaFile.content_sha1.is_not(None),
                MediaFile.deleted_at.is_(None),
                MediaFile.status != "failed",
            )
            .limit(1)
        ).first()
        is not None
    )


def open_session(
    db: Session, user: User, body: InitiateRequest, settings: Settings, storage: StorageService
) -> tuple[UploadSession, ScopedUploadKey]:
    if body.course_id is not None:
        instructed_course(db, user, body.course_id)
    expire_stale(db, user_id=user.id)
    active = db.execute(
        select(func.count(UploadSession.id)).where(
            UploadSession.user_id == user.id, UploadSession.status.in_(ACTIVE)
        )
    ).scalar_one()
    if active >= settings.policy.max_concurrent_uploads:
        raise ApiError(
            429,
            "too_many_uploads",
            f"you already have {active} uploads in progress "
            f"(limit {settings.policy.max_concurrent_uploads}); finish or cancel one first",
        )
    now = utcnow()
    session_key = str(uuid.uuid4())
    key = storage_keys.storage_key(user.id, body.filename, session_key, now)
    timeout = settings.policy.upload_session_timeout
    try:
        scoped = storage.create_upload_key(
            storage_keys.user_prefix(user.id),
            timeout + 3600,
            upload_allowance(session_key, body.file_size),
        )
    except StorageError as exc:
        raise ApiError(503, "storage_unavailable", f"storage is not available: {exc}") from None
    session = UploadSession(
        session_key=session_key,
        user_id=user.id,
        filename=storage_keys.display_name(body.filename),
        content_type=body.content_type.lower(),
        file_size=body.file_size,
        storage_key=key,
        thumbnail_key=storage_keys.thumbnail_key(key),
        course_id=body.course_id,
        content_sha1=body.content_sha1,
        b2_key_id=scoped.key_id,
        last_activity_at=now,
        expires_at=now + timedelta(seconds=timeout),
    )
    db.add(session)
    return session, scoped


def upload_allowance(session_key: str, declared_size: int) -> UploadAllowance:
    """What a session's keys may store: the declared video and its thumbnail. No file may be
    larger than the video (and never less than room for the thumbnail), and the session's
    keys together may not hold more than both."""
    return UploadAllowance(
        session=session_key,
        max_file_bytes=max(declared_size, THUMBNAIL_ALLOWANCE),
        max_total_bytes=declared_size + THUMBNAIL_ALLOWANCE,
    )


def part_size(settings: Settings) -> int:
    return max(MIN_PART_SIZE, settings.policy.chunk_size_mb * 1024 * 1024)


def require_live(session: UploadSession) -> None:
    if session.status in ACTIVE and session.expires_at <= utcnow():
        session.status = "expired"
        session.error = "the upload session expired after a period without activity"
        metrics.UPLOADS_EXPIRED.labels("inactivity").inc()
    if session.status not in ACTIVE:
        raise ApiError(
            409,
            f"session_{session.status}",
            f"this upload session is {session.status} and cannot take more data",
        )


def touch(session: UploadSession, settings: Settings) -> None:
    now = utcnow()
    session.last_activity_at = now
    session.expires_at = now + timedelta(seconds=settings.policy.upload_session_timeout)


def record_progress(session: UploadSession, body: ProgressReport, settings: Settings) -> None:
    if session.status == "completed":
        return
    require_live(session)
    if body.bytes_uploaded > session.file_size:
        raise ApiError(
            422,
            "invalid_progress",
            f"bytesUploaded {body.bytes_uploaded} is larger than the file ({session.file_size})",
        )
    previous_bytes, previous_at = session.bytes_uploaded, session.last_activity_at
    speed = body.upload_speed_bps
    if speed is not None and 0 < speed < 1:
        raise ApiError(
            400,
            "invalid_progress",
            "uploadSpeedBps must be 0 (unknown) or at least 1 byte per second",
        )
    if speed is None and body.bytes_uploaded > previous_bytes:
        elapsed = (utcnow() - previous_at).total_seconds()
        speed = (body.bytes_uploaded - previous_bytes) / elapsed if elapsed > 0 else None
    session.bytes_uploaded = body.bytes_uploaded
    session.upload_progress = 100.0 * body.bytes_uploaded / session.file_size
    session.upload_speed_bps = speed
    remaining = session.file_size - body.bytes_uploaded
    session.eta_seconds = min(MAX_ETA_SECONDS, int(remaining / speed + 0.5)) if speed else None
    session.status = "uploading"
    touch(session, settings)


def create_media(
    db: Session,
    session: UploadSession,
    body: CompleteRequest,
    storage: StorageService,
    settings: Settings,
    *,
    thumbnail_stored: bool,
) -> MediaFile:
    """``thumbnail_stored``: the session's thumbnail was found in storage (``stored_upload``)."""
    meta = body.metadata
    thumbnail_url = storage.cdn_url(session.thumbnail_key) if thumbnail_stored else None
    stored_sha1 = body.content_sha1 or session.content_sha1
    media = MediaFile(
        user_id=session.user_id,
        filename=session.filename,
        file_type="video",
        mime_type=session.content_type,
        file_size=session.file_size,
        storage_provider=storage.provider,
        bucket=storage.bucket_name,
        storage_key=session.storage_key,
        storage_url=storage.storage_url(session.storage_key),
        cdn_url=storage.cdn_url(session.storage_key),
        thumbnail_url=thumbnail_url,
        status="pending",
        content_sha1=stored_sha1,
        course_id=session.course_id,
        upload_session_id=session.id,
    )
    if meta is not None:
        media.duration_seconds = meta.duration_seconds
        media.width, media.height = meta.display_width, meta.display_height
        media.codec, media.bitrate = meta.codec, meta.bitrate
        media.frame_rate, media.video_quality = meta.frame_rate, meta.video_quality
    db.add(media)
    db.flush()
    enqueue_processing(db, media.id, settings.processing_queue)
    session.status = "completed"
    session.media_file_id = media.id
    session.bytes_uploaded = session.file_size
    session.upload_progress = 100.0
    session.eta_seconds = 0
    return media


def media_of_session(db: Session, session: UploadSession) -> MediaFile | None:
    """The media file a completed session made (at most one: the column is unique)."""
    if session.media_file_id:
        return db.get(MediaFile, session.media_file_id)
    return db.execute(
        select(MediaFile).where(MediaFile.upload_session_id == session.id)
    ).scalar_one_or_none()


def expire_stale(db: Session, user_id: str | None = None) -> int:
    """Mark silent sessions past their expiry as expired; how many were."""
    query = select(UploadSession).where(
        UploadSession.status.in_(ACTIVE), UploadSession.expires_at <= utcnow()
    )
    if user_id is not None:
        query = query.where(UploadSession.user_id == user_id)
    stale = db.execute(query).scalars().all()
    for session in stale:
        session.status = "expired"
        session.error = "the upload session expired after a period without activity"
    if stale:
        metrics.UPLOADS_EXPIRED.labels("inactivity").inc(len(stale))
    return len(stale)
