"""Resumable uploads: the large-file id is known (and saved by the caller) before any part
is sent, so after a crash the same large file continues and only missing parts travel."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from b2sdk.v2 import Bucket

from daemon.transfer.b2_session import b2_errors, open_bucket
from daemon.transfer.bandwidth import BandwidthLimiter
from daemon.transfer.errors import (
    CredentialsExpired,
    FileChanged,
    TransferCancelled,
    TransferError,
)
from daemon.transfer.large_file import HEX_DIGITS_AT_END, find_or_start, send_parts
from daemon.transfer.meter import ProgressCallback, WireMeter
from daemon.transfer.part_size import preferred_part_size
from daemon.transfer.part_stream import FileWatch, PartStream
from daemon.transfer.target import UploadTarget

log = logging.getLogger(__name__)
RetryCallback = Callable[[str, float], None]


@dataclass(frozen=True)
class UploadResult:
    file_id: str
    size: int
    content_sha1: str | None  # known for a file sent in one request, or when given
    large_file_id: str | None
    bytes_sent_this_run: int
    recognised: bool = False  # an earlier run had already finished it


class Uploader(Protocol):
    """What the pipeline needs from the transfer layer (``B2Uploader``, or a fake in tests)."""

    def upload(
        self,
        path: Path,
        target: UploadTarget,
        *,
        content_type: str,
        content_sha1: str | None,
        resume_large_file_id: str | None,
        on_large_file_started: Callable[[str], None],
        on_progress: ProgressCallback,
        refresh_target: Callable[[], UploadTarget],
        cancel: threading.Event,
        watch: FileWatch | None = None,
        on_retry: RetryCallback | None = None,
        new_session: bool = False,
    ) -> UploadResult: ...

    def cancel_large_file(self, target: UploadTarget, large_file_id: str) -> None: ...

    def upload_small(
        self, path: Path, target: UploadTarget, storage_key: str, content_type: str
    ) -> UploadResult: ...


class B2Uploader:
    def __init__(self, limiter: BandwidthLimiter, *, max_attempts: int = 8) -> None:
        self.limiter = limiter
        self.max_attempts = max_attempts

    def upload(
        self,
        path: Path,
        target: UploadTarget,
        *,
        content_type: str,
        content_sha1: str | None,
        resume_large_file_id: str | None,
        on_large_file_started: Callable[[str], None],
        on_progress: ProgressCallback,
        refresh_target: Callable[[], UploadTarget],
        cancel: threading.Event,
        watch: FileWatch | None = None,
        on_retry: RetryCallback | None = None,
        new_session: bool = False,
    ) -> UploadResult:
        """Upload ``path`` to ``target.storage_key``; raises TransferCancelled, FileChanged
        (the file is not the one probed any more) or TransferError. ``new_session``: the
        key was handed out for this very upload, so no earlier run can have finished a
        file under it and the store is not asked for one."""
        watch = watch or FileWatch.now(path)
        resume_id = resume_large_file_id
        attempt = 0
        while True:
            meter = WireMeter(self.limiter, cancel, on_progress)
            try:
                watch.check()
                bucket = open_bucket(target)
                part_size = preferred_part_size(
                    watch.size,
                    target.part_size,
                    bucket.api.account_info.get_recommended_part_size(),
                )
                if watch.size <= part_size and not resume_id:
                    return self._small(bucket, target, watch, content_type, content_sha1, meter)
                found = find_or_start(
                    bucket, target, content_type, content_sha1, watch.size, resume_id, new_session
                )
                resume_id = found.large_file_id
                on_large_file_started(found.large_file_id)
                if found.finished is not None:
                    log.info("%s: the store already holds the finished upload", path.name)
                    meter.already_stored(watch.size)
                    return UploadResult(
                        found.large_file_id,
                        watch.size,
                        content_sha1,
                        found.large_file_id,
                        0,
                        recognised=True,
                    )
                sizes = (part_size, target.part_size)
                file_id = send_parts(
                    bucket, found.large_file_id, watch, sizes, meter, fresh=found.fresh
                )
                return UploadResult(file_id, watch.size, content_sha1, file_id, meter.wire)
            except CredentialsExpired:
                if cancel.is_set():
                    raise TransferCancelled() from None
                target = refresh_target()
                reason = None
            except TransferError as exc:
                if cancel.is_set():
                    raise TransferCancelled() from None
                if not exc.transient:
                    raise
                reason = exc.message
            attempt += 1
            if attempt >= self.max_attempts:
                raise TransferError("storage kept failing; will try again later", transient=True)
            backoff = min(30.0, 0.5 * 2**attempt) * random.uniform(0.5, 1.0)
            if on_retry is not None and reason is not None:
                on_retry(reason, backoff)
            if cancel.wait(backoff):
                raise TransferCancelled()

    def _small(
        self,
        bucket: Bucket,
        target: UploadTarget,
        watch: FileWatch,
        content_type: str,
        content_sha1: str | None,
        meter: WireMeter,
    ) -> UploadResult:
        """A file no bigger than one part goes in one request, its SHA-1 computed while it
        is sent and checked by the store: that is the whole file's SHA-1."""
        stream = PartStream(watch, 1, 0, watch.size, meter, sha1_at_end=True)
        try:
            with b2_errors():
                answer = bucket.api.session.upload_file(
                    bucket.id_,
                    target.storage_key,
                    len(stream),
                    content_type,
                    HEX_DIGITS_AT_END,
                    {},
                    stream,
                )
        finally:
            stream.close()
        watch.check()
        sent_sha1 = stream.sha1 or str(answer["contentSha1"])
        if content_sha1 is not None and sent_sha1 != content_sha1:
            raise FileChanged(watch.path.name)  # not the content hashed before
        meter.part_stored(1, watch.size)
        return UploadResult(str(answer["fileId"]), watch.size, sent_sha1, None, meter.wire)

    def upload_small(
        self, path: Path, target: UploadTarget, storage_key: str, content_type: str
    ) -> UploadResult:
        """A small side file (the thumbnail), not throttled or watched."""
        bucket = open_bucket(target)
        with b2_errors():
            version = bucket.upload_local_file(str(path), storage_key, content_type=content_type)
        return UploadResult(
            version.id_, version.size, version.content_sha1 or "", None, version.size
        )

    def cancel_large_file(self, target: UploadTarget, large_file_id: str) -> None:
        try:
            with b2_errors():
                open_bucket(target).api.cancel_large_file(large_file_id)
        except TransferError as exc:
            log.info("large file %s was not cancelled: %s", large_file_id, exc.message)
