"""``/api/v1/media``: the caller's media files, processing, attaching, soft delete, policy."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from sqlalchemy import func, select

from server.api.deps import AppSettings, CurrentUser, Db, MediaFileId, Storage
from server.api.errors import ApiError
from server.api.serializers import media_out, video_out
from server.db.models import MediaFile, Video
from server.db.types import utcnow
from server.services.ownership import instructed_video, owned_media
from server.services.processing import enqueue_processing
from server.services.storage_keys import thumbnail_key
from server.storage.base import StorageError
from shared.api_schemas import AttachRequest, MediaPage, envelope

router = APIRouter(prefix="/api/v1/media", tags=["media"])


@router.get("/policy")
def policy(settings: AppSettings) -> dict[str, Any]:
    """The limits clients validate against before uploading (not secret: no token needed)."""
    data = settings.policy.model_dump(mode="json", by_alias=True)
    data["maxFileSizeBytes"] = settings.policy.max_file_size_bytes
    return envelope(data)


@router.get("/media/{mediaFileId}")
def get_media(media_id: MediaFileId, user: CurrentUser, db: Db) -> dict[str, Any]:
    return envelope(media_out(owned_media(db, user, media_id)))


@router.post("/media/{mediaFileId}/process")
def process(
    media_id: MediaFileId, request: Request, user: CurrentUser, db: Db, settings: AppSettings
) -> dict[str, Any]:
    media = owned_media(db, user, media_id, for_update=True)
    if media.status == "ready":
        # Already measured (``complete`` queued the probe): asking again must not probe twice.
        return envelope(media_out(media))
    if media.status == "failed":
        media.status = "pending"
    enqueue_processing(db, media.id, settings.processing_queue)
    db.commit()
    worker = getattr(request.app.state, "worker", None)
    if worker is not None:
        worker.wake()
    return envelope(media_out(media))


@router.post("/media/{mediaFileId}/attach-video")
def attach_video(
    media_id: MediaFileId, body: AttachRequest, user: CurrentUser, db: Db
) -> dict[str, Any]:
    media = owned_media(db, user, media_id)
    video = instructed_video(db, user, body.video_id)
    video.media_file_id = media.id
    video.video_quality = media.video_quality
    db.commit()
    return envelope(
        {
            "video": video_out(video).model_dump(mode="json", by_alias=True),
            "mediaFile": media_out(media).model_dump(mode="json", by_alias=True),
        }
    )


@router.get("/user/media")
def list_media(
    user: CurrentUser,
    db: Db,
    page: int = Query(1, ge=1, le=100_000),
    limit: int = Query(20, ge=1, le=100),
    type: str | None = Query(None, max_length=20),
    status: Literal["pending", "processing", "ready", "failed"] | None = None,
    file_size: int | None = Query(None, alias="fileSize", ge=1, le=2**63 - 1),
) -> dict[str, Any]:
    where = [MediaFile.user_id == user.id, MediaFile.deleted_at.is_(None)]
    if type:
        where.append(MediaFile.file_type == type)
    if file_size is not None:
        where.append(MediaFile.file_size == file_size)
    if status:
        where.append(MediaFile.status == status)
    total = db.execute(select(func.count(MediaFile.id)).where(*where)).scalar_one()
    rows = (
        db.execute(
            select(MediaFile)
            .where(*where)
            .order_by(MediaFile.created_at.desc(), MediaFile.id)
            .offset((page - 1) * limit)
            .limit(limit)
        )
        .scalars()
        .all()
    )
    return envelope(
        MediaPage(items=[media_out(m) for m in rows], page=page, limit=limit, total=total)
    )


@router.delete("/media/{mediaFileId}")
def delete_media(
    media_id: MediaFileId, user: CurrentUser, db: Db, storage: Storage
) -> dict[str, Any]:
    """Soft delete: the database row stays for the audit trail, but the bytes stop being
    served. The video and its thumbnail are hidden in storage at once, so their public
    (CDN and storage) URLs answer 404 from then on; nothing of them is downloadable."""
    media = owned_media(db, user, media_id, for_update=True)
    try:
        for key in (media.storage_key, thumbnail_key(media.storage_key)):
            storage.hide_object(key)
    except StorageError as exc:
        raise ApiError(
            503, "storage_unavailable", f"the file could not be withdrawn yet; retry: {exc}"
        ) from None
    media.deleted_at = utcnow()
    media.deleted_by = user.id
    for video in db.execute(select(Video).where(Video.media_file_id == media.id)).scalars():
        video.media_file_id = None
        video.video_quality = None  # it described the media file, not the course video
    db.commit()
    return envelope({"id": media.id, "userId": media.user_id, "deleted": True})
