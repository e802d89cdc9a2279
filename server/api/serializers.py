"""Database rows to wire schemas (camelCase, every media response with ``userId``)."""

from __future__ import annotations

from server.db.models import Course, MediaFile, UploadSession, User, Video
from shared.api_schemas import CourseOut, MediaFileOut, ProgressOut, UserOut, VideoOut


def user_out(user: User) -> UserOut:
    return UserOut.model_validate(
        {"id": user.id, "email": user.email, "display_name": user.display_name, "role": user.role}
    )


def media_out(media: MediaFile) -> MediaFileOut:
    return MediaFileOut(
        id=media.id,
        user_id=media.user_id,
        filename=media.filename,
        file_type=media.file_type,
        mime_type=media.mime_type,
        file_size=media.file_size,
        storage_provider=media.storage_provider,
        bucket=media.bucket,
        storage_key=media.storage_key,
        storage_url=media.storage_url,
        cdn_url=media.cdn_url,
        thumbnail_url=media.thumbnail_url,
        status=media.status,  # type: ignore[arg-type]
        processing_error=media.processing_error,
        duration_seconds=media.duration_seconds,
        width=media.width,
        height=media.height,
        codec=media.codec,
        bitrate=media.bitrate,
        frame_rate=media.frame_rate,
        video_quality=media.video_quality,
        content_sha1=media.content_sha1,
        course_id=media.course_id,
        created_at=media.created_at,
        updated_at=media.updated_at,
    )


def progress_out(session: UploadSession) -> ProgressOut:
    speed = session.upload_speed_bps
    return ProgressOut(
        session_key=session.session_key,
        status=session.status,  # type: ignore[arg-type]
        bytes_uploaded=session.bytes_uploaded,
        total_bytes=session.file_size,
        upload_progress=round(session.upload_progress, 2),
        upload_speed_mbps=round(speed * 8 / 1_000_000, 3) if speed is not None else None,
        eta_seconds=session.eta_seconds,
        error=session.error,
        expires_at=session.expires_at,
        media_file_id=session.media_file_id,
    )


def video_out(video: Video) -> VideoOut:
    return VideoOut(
        id=video.id,
        course_id=video.course_id,
        title=video.title,
        media_file_id=video.media_file_id,
        video_quality=video.video_quality,
        has_captions=video.has_captions,
        caption_languages=list(video.caption_languages or []),
    )


def course_out(course: Course) -> CourseOut:
    return CourseOut(id=course.id, title=course.title, videos=[video_out(v) for v in course.videos])
