"""What ``complete`` checks in storage before a session becomes a media file: the video is
there with the declared size (and SHA-1), it starts like the container its name promises,
and whether the thumbnail the client says it sent is there.

``complete`` is what the uploader waits for after its last byte: one ranged read of the
video's first bytes answers both what it is (size, SHA-1) and how it starts, asked at once
with the thumbnail's lookup. When that read finds nothing, the video is looked up and read
apart, and judged in a fixed order, so the answer a client gets does not depend on which
request failed (a missing video is ``object_missing``, never a failed read of its head).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from server.api.errors import ApiError
from server.db.models import UploadSession
from server.services import storage_keys
from server.storage.base import StorageError, StorageService, StoredObject
from shared.api_schemas import CompleteRequest
from shared.media import signature

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class StoredUpload:
    """The checked video, and whether its thumbnail can be linked."""

    video: StoredObject
    thumbnail_stored: bool


def check_stored(
    session: UploadSession, body: CompleteRequest, storage: StorageService
) -> StoredUpload:
    """Raises ApiError with what is wrong with the stored upload; 503 when storage cannot
    say."""
    with ThreadPoolExecutor(2, thread_name_prefix="complete-lookup") as pool:
        video = pool.submit(storage.head_object, session.storage_key, signature.HEAD_BYTES)
        thumbnail = (
            pool.submit(storage.stat_object, session.thumbnail_key)
            if body.thumbnail_uploaded and session.thumbnail_key
            else None
        )
        found = _answer(video)
        if found is None:  # asked apart, in this order, so the answer says what is wrong
            stored = _checked_video(session, body, _asked(storage.stat_object, session))
            head = _asked(lambda key: storage.read_head(key, signature.HEAD_BYTES), session)
        else:
            stored, head = _checked_video(session, body, found[0]), found[1]
        _check_container(session, head)
        return StoredUpload(stored, _thumbnail_stored(session, thumbnail))


def _asked(lookup: Callable[[str], T], session: UploadSession) -> T:
    try:
        return lookup(session.storage_key)
    except StorageError as exc:
        raise ApiError(503, "storage_unavailable", f"storage is not available: {exc}") from None


def _answer(lookup: Future[T]) -> T:
    try:
        return lookup.result()
    except StorageError as exc:
        raise ApiError(503, "storage_unavailable", f"storage is not available: {exc}") from None


def _checked_video(
    session: UploadSession, body: CompleteRequest, stored: StoredObject | None
) -> StoredObject:
    if stored is None:
        raise ApiError(409, "object_missing", "no uploaded file was found for this session")
    if stored.size != session.file_size:
        raise ApiError(
            409,
            "size_mismatch",
            f"the stored file has {stored.size} bytes but {session.file_size} were declared",
        )
    expected = body.content_sha1 or session.content_sha1
    if expected and stored.sha1 and stored.sha1 != expected:
        raise ApiError(
            409, "sha1_mismatch", "the stored file's SHA-1 differs from the declared one"
        )
    return stored


def _check_container(session: UploadSession, head: bytes) -> None:
    """The stored bytes must start like the video container the file name promises;
    anything else (a playlist, a web page, a concat list) is refused before processing."""
    expected = signature.FAMILY_BY_EXTENSION.get(storage_keys.extension_of(session.filename))
    if expected is None or signature.sniff_head(head) != expected:
        raise ApiError(
            422,
            "unsupported_container",
            "the uploaded file is not a video in the container its name promises "
            "(MP4/QuickTime, WebM/Matroska or AVI)",
        )


def _thumbnail_stored(session: UploadSession, lookup: Future[StoredObject | None] | None) -> bool:
    """A thumbnail that cannot be checked is left out: the video matters, not its picture."""
    if lookup is None:
        return False
    try:
        return lookup.result() is not None
    except StorageError:
        log.warning("thumbnail of session %s could not be checked", session.session_key)
        return False
