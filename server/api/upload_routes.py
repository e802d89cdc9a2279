"""``/api/v1/media/upload``: initiate, progress, credentials, complete, cancel."""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from sqlalchemy.exc import IntegrityError

from server import metrics
from server.api.deps import AppSettings, CurrentUser, Db, SessionKey, Storage
from server.api.errors import ApiError
from server.api.serializers import media_out, progress_out
from server.db.models import UploadSession
from server.services import uploads
from server.services.ownership import owned_session
from server.services.reaper import clean_session
from server.services.stored_upload import check_stored
from server.storage.base import StorageError
from shared.api_schemas import (
    CompleteRequest,
    InitiateRequest,
    InitiateResponse,
    ProgressReport,
    envelope,
)

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1/media/upload", tags=["upload"])


@router.post("/initiate")
def initiate(
    body: InitiateRequest, user: CurrentUser, db: Db, settings: AppSettings, storage: Storage
) -> dict[str, Any]:
    uploads.require_uploader(user)
    uploads.check_request(body, settings)
    duplicate = uploads.find_duplicate(db, user, body.content_sha1)
    if duplicate is not None:
        return envelope(
            InitiateResponse(
                duplicate=True, media_file_id=duplicate.id, media_file=media_out(duplicate)
            )
        )
    if (
        body.check_size_first
        and body.content_sha1 is None
        and uploads.holds_size(db, user, body.file_size)
    ):
        return envelope(InitiateResponse(same_size_in_library=True))
    session, key = uploads.open_session(db, user, body, settings, storage)
    target = None
    if body.browser_upload:
        try:
            target = storage.browser_upload_target(key)
        except StorageError as exc:
            raise ApiError(503, "storage_unavailable", f"storage is not available: {exc}") from None
    db.commit()
    metrics.UPLOADS_INITIATED.inc()
    return envelope(
        InitiateResponse(
            session_key=session.session_key,
            upload_url=target.upload_url if target else None,
            fields=(
                {
                    "key": session.storage_key,
                    "Content-Type": session.content_type,
                    "Authorization": target.authorization_token,
                }
                if target
                else None
            ),
            storage_key=session.storage_key,
            thumbnail_key=session.thumbnail_key,
            expires_in=settings.policy.upload_session_timeout,
            b2=uploads.key_out(key),
            part_size=uploads.part_size(settings),
        )
    )


@router.get("/progress/{sessionKey}")
def get_progress(session_key: SessionKey, user: CurrentUser, db: Db) -> dict[str, Any]:
    session = owned_session(db, user, session_key)
    if uploads.expire_stale(db, user_id=user.id):
        db.commit()
    return envelope(progress_out(session))


@router.put("/progress/{sessionKey}")
def put_progress(
    session_key: SessionKey, body: ProgressReport, user: CurrentUser, db: Db, settings: AppSettings
) -> dict[str, Any]:
    session = owned_session(db, user, session_key)
    try:
        uploads.record_progress(session, body, settings)
    finally:
        db.commit()
    return envelope(progress_out(session))


@router.post("/credentials/{sessionKey}")
def fresh_credentials(
    session_key: SessionKey, user: CurrentUser, db: Db, settings: AppSettings, storage: Storage
) -> dict[str, Any]:
    session = owned_session(db, user, session_key)
    try:
        uploads.require_live(session)
    finally:
        db.commit()
    old_key_id = session.b2_key_id
    try:
        scoped = storage.create_upload_key(
            uploads.storage_keys.user_prefix(user.id),
            settings.policy.upload_session_timeout + 3600,
            uploads.upload_allowance(session.session_key, session.file_size),
        )
    except StorageError as exc:
        raise ApiError(503, "storage_unavailable", f"storage is not available: {exc}") from None
    session.b2_key_id = scoped.key_id
    uploads.touch(session, settings)
    db.commit()
    if old_key_id:
        try:
            storage.delete_key(old_key_id)
        except StorageError:
            log.warning("old key of session %s is left for the reaper", session.session_key)
    db.refresh(session)
    if session.status not in uploads.ACTIVE:
        # ``complete`` or ``cancel`` ended the session while the key was made, and retired
        # the key it knew: this one must not outlive the session either.
        _delete_key(db, storage, session, scoped.key_id)
        uploads.require_live(session)
    return envelope(uploads.key_out(scoped))


@router.post("/complete")
def complete(
    body: CompleteRequest,
    request: Request,
    after_answer: BackgroundTasks,
    user: CurrentUser,
    db: Db,
    settings: AppSettings,
    storage: Storage,
) -> dict[str, Any]:
    session = owned_session(db, user, body.session_key)
    if body.storage_key != session.storage_key:
        raise ApiError(422, "storage_key_mismatch", "storageKey does not belong to this session")
    done = uploads.media_of_session(db, session)
    if done is not None:
        return envelope(media_out(done))
    try:
        uploads.require_live(session)
    except ApiError as exc:
        db.commit()  # an expiry found here is kept
        metrics.UPLOADS_FAILED.labels(exc.code).inc()
        raise
    # The session row stays locked (PostgreSQL) until the media row is committed; the unique
    # session id on media files settles any race the lock cannot (SQLite, other processes).
    try:
        stored = check_stored(session, body, storage)
    except ApiError as exc:
        metrics.UPLOADS_FAILED.labels(exc.code).inc()
        raise
    # The checked upload's key ends before the answer (a key left alive could replace the
    # video just checked), deleted while the media file is written: a storage round trip
    # the uploader would otherwise wait for after the database's work.
    with ThreadPoolExecutor(1, thread_name_prefix="retire-key") as pool:
        key_id = session.b2_key_id
        retiring = pool.submit(storage.delete_key, key_id) if key_id else None
        try:
            media = uploads.create_media(
                db, session, body, storage, settings, thumbnail_stored=stored.thumbnail_stored
            )
            session.storage_cleaned = _retired(retiring, session)
            db.commit()
        except IntegrityError:
            db.rollback()
            winner = uploads.media_of_session(db, session)
            if winner is None:
                raise
            return envelope(media_out(winner))
    metrics.UPLOADS_COMPLETED.inc()
    db.refresh(session)
    if session.b2_key_id and session.b2_key_id != key_id:
        # Fresh credentials were made while this request ran: that key goes too.
        _delete_key(db, storage, session, session.b2_key_id)
    worker = getattr(request.app.state, "worker", None)
    if worker is not None:  # once the uploader has its answer: processing reads the whole file
        after_answer.add_task(worker.wake)
    return envelope(media_out(media))


@router.post("/cancel/{sessionKey}")
def cancel(session_key: SessionKey, user: CurrentUser, db: Db, storage: Storage) -> dict[str, Any]:
    session = owned_session(db, user, session_key)
    if session.status == "completed":
        raise ApiError(
            409, "session_completed", "this upload already completed; delete the media file instead"
        )
    if session.status != "cancelled":
        session.status = "cancelled"
        session.error = "cancelled by the user"
        db.commit()
        metrics.UPLOADS_FAILED.labels("cancelled").inc()
        db.refresh(session)  # the key as it is now: fresh credentials may have replaced it
        retire_credentials(db, storage, session)
    return envelope({"sessionKey": session.session_key, "status": "cancelled"})


def _delete_key(db: Db, storage: Storage, session: UploadSession, key_id: str) -> None:
    """Delete a key made for a session that has ended; if storage cannot, the reaper will."""
    try:
        storage.delete_key(key_id)
    except StorageError:
        session.b2_key_id, session.storage_cleaned = key_id, False
        db.commit()
        log.warning("a key of ended session %s is left for the reaper", session.session_key)


def _retired(deleting: Future[None] | None, session: UploadSession) -> bool:
    """Whether the session's key is gone; if storage could not say, the reaper retries."""
    try:
        if deleting is not None:
            deleting.result()
    except StorageError:
        log.warning("storage clean-up of session %s is left for the reaper", session.session_key)
        return False
    return True


def retire_credentials(db: Db, storage: Storage, session: UploadSession) -> None:
    """End an ended session's key at once (and, if it failed, its unfinished upload): a key
    left alive after ``complete`` could replace the video that was just checked. What
    storage cannot do now the reaper does later."""
    try:
        clean_session(storage, session)
        db.commit()
    except StorageError:
        db.rollback()
        log.warning("storage clean-up of session %s is left for the reaper", session.session_key)
