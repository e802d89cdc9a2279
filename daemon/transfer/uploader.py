"""Resumable uploads: the large-file id is known (and saved by the caller) before any part
is sent, so after a crash the same large file continues and only missing parts travel."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from b2sdk.v2 import AbstractProgressListener, Bucket

from daemon.transfer.b2_session import b2_errors, open_bucket
from daemon.transfer.bandwidth import BandwidthLimiter
from daemon.transfer.errors import CredentialsExpired, TransferCancelled, TransferError
from daemon.transfer.target import UploadTarget

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UploadResult:
    file_id: str
    size: int
    content_sha1: str
    large_file_id: str | None
    bytes_sent_this_run: int


class _Progress(AbstractProgressListener):
    """Throttles, reports and cancels from inside b2sdk's read loop (one per upload)."""

    def __init__(
        self, limiter: BandwidthLimiter, cancel: threading.Event, on_progress: Callable[[int], None]
    ) -> None:
        super().__init__()
        self._limiter, self._cancel, self._on_progress = limiter, cancel, on_progress
        self._lock = threading.Lock()
        self._last = 0
        self.sent = 0
        self.best = 0

    def set_total_bytes(self, total_byte_count: int) -> None:
        pass

    def bytes_completed(self, byte_count: int) -> None:
        if self._cancel.is_set():
            raise TransferCancelled()
        with self._lock:
            delta = byte_count - self._last
            self._last = byte_count
            if delta > 0:
                self.sent += delta
        if delta > 0:
            self._limiter.consume(delta, self._cancel)
        with self._lock:
            improved = byte_count > self.best
            self.best = max(self.best, byte_count)
        if improved:
            self._on_progress(byte_count)


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
        content_sha1: str,
        resume_large_file_id: str | None,
        on_large_file_started: Callable[[str], None],
        on_progress: Callable[[int], None],
        refresh_target: Callable[[], UploadTarget],
        cancel: threading.Event,
    ) -> UploadResult:
        """Upload ``path`` to ``target.storage_key``; raises TransferCancelled/TransferError."""
        attempt = 0
        while True:
            try:
                return self._attempt(
                    path,
                    target,
                    content_type,
                    content_sha1,
                    resume_large_file_id,
                    on_large_file_started,
                    on_progress,
                    cancel,
                )
            except CredentialsExpired:
                if cancel.is_set():
                    raise TransferCancelled() from None
                target = refresh_target()
            except TransferError as exc:
                if cancel.is_set():
                    raise TransferCancelled() from None
                if not exc.transient:
                    raise
            attempt += 1
            if attempt >= self.max_attempts:
                raise TransferError("storage kept failing; will try again later", transient=True)
            backoff = min(30.0, 0.5 * 2**attempt) * random.uniform(0.5, 1.0)
            if cancel.wait(backoff):
                raise TransferCancelled()

    def _attempt(
        self,
        path: Path,
        target: UploadTarget,
        content_type: str,
        content_sha1: str,
        resume_id: str | None,
        on_started: Callable[[str], None],
        on_progress: Callable[[int], None],
        cancel: threading.Event,
    ) -> UploadResult:
        bucket = open_bucket(target)
        size = path.stat().st_size
        file_info = {"large_file_sha1": content_sha1}
        part_size = bucket.api.account_info.get_recommended_part_size()
        large_id = None
        if size > part_size:
            large_id = self._large_file(bucket, target, content_type, file_info, resume_id)
            on_started(large_id)
        listener = _Progress(self.limiter, cancel, on_progress)
        try:
            with b2_errors():
                version = bucket.upload_local_file(
                    str(path),
                    target.storage_key,
                    content_type=content_type,
                    file_info=file_info,
                    sha1_sum=content_sha1,
                    progress_listener=listener,
                )
        except TransferCancelled:
            raise
        except TransferError:
            if cancel.is_set():
                raise TransferCancelled() from None
            raise
        except OSError as exc:
            raise TransferError(
                f"{path.name} could not be read: {exc.strerror}", transient=False
            ) from None
        if cancel.is_set() and version is None:
            raise TransferCancelled()
        if large_id and version.id_ != large_id:
            log.warning("storage used a new large file; cancelling the unused one")
            self._quiet_cancel(bucket, large_id)
        return UploadResult(
            version.id_,
            version.size,
            content_sha1,
            large_id if version.id_ == large_id else None,
            listener.sent,
        )

    def _large_file(
        self,
        bucket: Bucket,
        target: UploadTarget,
        content_type: str,
        file_info: dict[str, str],
        resume_id: str | None,
    ) -> str:
        with b2_errors():
            if resume_id:
                for unfinished in bucket.list_unfinished_large_files(prefix=target.storage_key):
                    if unfinished.file_id == resume_id:
                        return resume_id
            started = bucket.api.session.start_large_file(
                bucket.id_, target.storage_key, content_type, file_info
            )
        return str(started["fileId"])

    def upload_small(
        self, path: Path, target: UploadTarget, storage_key: str, content_type: str
    ) -> UploadResult:
        bucket = open_bucket(target)
        with b2_errors():
            version = bucket.upload_local_file(str(path), storage_key, content_type=content_type)
        return UploadResult(
            version.id_, version.size, version.content_sha1 or "", None, version.size
        )

    def cancel_large_file(self, target: UploadTarget, large_file_id: str) -> None:
        self._quiet_cancel(open_bucket(target), large_file_id)

    @staticmethod
    def _quiet_cancel(bucket: Bucket, large_file_id: str) -> None:
        try:
            with b2_errors():
                bucket.api.cancel_large_file(large_file_id)
        except TransferError as exc:
            log.info("large file %s was not cancelled: %s", large_file_id, exc.message)
