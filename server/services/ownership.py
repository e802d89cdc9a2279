"""Every lookup of a user-owned row goes through here, so none can forget the owner check."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.api.errors import ApiError, not_found
from server.db.models import Course, MediaFile, UploadSession, User, Video


def owned_media(db: Session, user: User, media_id: str, *, for_update: bool = False) -> MediaFile:
    query = select(MediaFile).where(MediaFile.id == media_id)
    if for_update:
        query = query.with_for_update()
    media = db.execute(query).scalar_one_or_none()
    # Another user's file answers exactly like one that does not exist: ids are no oracle.
    if media is None or media.user_id != user.id or media.deleted_at is not None:
        raise not_found("media file")
    return media


def owned_session(db: Session, user: User, session_key: str) -> UploadSession:
    session = db.execute(
        select(UploadSession).where(UploadSession.session_key == session_key).with_for_update()
    ).scalar_one_or_none()
    if session is None or session.user_id != user.id:
        raise not_found("upload session")
    return session


def instructs(user: User, course: Course) -> bool:
    return user.role == "admin" or any(i.id == user.id for i in course.instructors)


def instructed_course(db: Session, user: User, course_id: str) -> Course:
    course = db.get(Course, course_id)
    if course is None:
        raise not_found("course")
    if not instructs(user, course):
        raise ApiError(403, "forbidden", "you are not an instructor of this course")
    return course


def instructed_video(db: Session, user: User, video_id: str) -> Video:
    video = db.get(Video, video_id)
    if video is None:
        raise not_found("course video")
    if not instructs(user, video.course):
        raise ApiError(403, "forbidden", "you are not an instructor of this video's course")
    return video
