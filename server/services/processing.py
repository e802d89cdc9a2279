"""The processing queue: a table of jobs, each handed to exactly one worker.

On PostgreSQL workers claim rows with ``FOR UPDATE SKIP LOCKED``, so any number of server
processes can share one database; SQLite serialises writers on its own. A restart loses no
job: a claimed job whose worker died is claimed again after a lease.
"""

from __future__ import annotations

import logging
import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from server import metrics
from server.db.models import MediaFile, ProcessingJob
from server.db.types import utcnow
from server.storage.base import StorageError, StorageService
from shared.media.metadata import VideoMetadata

log = logging.getLogger(__name__)

DEFAULT_LEASE = timedelta(minutes=10)


@dataclass(frozen=True)
class Measured:
    """What processing learns of a stored video: its metadata, and the SHA-1 of the bytes
    that were stored (None when the processor did not read them all)."""

    metadata: VideoMetadata
    content_sha1: str | None = None


Processor = Callable[[StorageService, str], Measured]
"""Measures the stored object named by a storage key."""


class ProcessingFailed(Exception):
    """The stored video could not be measured; ``message`` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def enqueue_processing(db: Session, media_id: str, queue: str = "video_processing") -> None:
    """Add a job unless one is already waiting or running for this media file."""
    pending = (
        db.execute(
            select(ProcessingJob).where(
                ProcessingJob.media_file_id == media_id,
                ProcessingJob.state.in_(("queued", "running")),
            )
        )
        .scalars()
        .first()
    )
    if pending is not None:
        return
    attempts = db.execute(
        select(func.count(ProcessingJob.id)).where(ProcessingJob.media_file_id == media_id)
    ).scalar_one()
    db.add(ProcessingJob(media_file_id=media_id, queue=queue, attempt=attempts + 1))


def claim_next(
    db: Session, worker_id: str, lease: timedelta = DEFAULT_LEASE
) -> ProcessingJob | None:
    """Claim the oldest claimable job. On PostgreSQL the row lock skips jobs another worker
    holds; everywhere, the conditional UPDATE makes sure only one claimant wins a row."""
    now = utcnow()
    stale = now - lease
    claimable = or_(
        ProcessingJob.state == "queued",
        (ProcessingJob.state == "running") & (ProcessingJob.claimed_at < stale),
    )
    for _attempt in range(20):
        query = select(ProcessingJob).where(claimable).order_by(ProcessingJob.id).limit(1)
        if db.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        job = db.execute(query).scalar_one_or_none()
        if job is None:
            db.rollback()
            return None
        result: Any = db.execute(
            update(ProcessingJob)
            .where(ProcessingJob.id == job.id, claimable)
            .values(state="running", claimed_by=worker_id, claimed_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            db.rollback()
            continue
        media = db.get(MediaFile, job.media_file_id)
        if media is not None:
            media.status = "processing"
        db.commit()
        db.refresh(job)
        return job
    return None


def default_processor(storage: StorageService, storage_key: str) -> Measured:
    """Copy the object into a private temp folder, probe that one local file and hash it.

    ffprobe then needs no URL and no token on its command line (visible in ``ps``), and its
    allow-lists let it open nothing but that file. The SHA-1 is taken here because the
    whole object is read here anyway: an uploader that hashed each part while sending it
    never read the file twice to know the whole file's SHA-1.
    """
    from shared.media.errors import MediaError
    from shared.media.hashing import sha1_file
    from shared.media.probe import probe

    with tempfile.TemporaryDirectory(prefix="reeldrop-probe-") as folder:
        local = Path(folder) / PurePosixPath(storage_key).name
        storage.download_to(storage_key, local)
        try:
            metadata = probe(local)
        except MediaError as exc:
            raise ProcessingFailed(exc.code, exc.message) from None
        return Measured(metadata, sha1_file(local))


def check_content(media: MediaFile, measured: Measured) -> str | None:
    """Record the stored bytes' SHA-1 (the duplicate check finds the video by it from now
    on); a SHA-1 the uploader declared must be the stored one. Returns the error, if any."""
    if measured.content_sha1 is None:
        return None
    declared, media.content_sha1 = media.content_sha1, measured.content_sha1
    if declared and declared != measured.content_sha1:
        # The row keeps what is stored: the file the uploader has is not a duplicate of it.
        return (
            "the stored file's SHA-1 differs from the one the uploader declared: "
            "it was changed or damaged on its way; upload it again"
        )
    return None


def run_job(
    factory: sessionmaker[Session], job_id: int, storage: StorageService, processor: Processor
) -> None:
    with factory() as db:
        job = db.get(ProcessingJob, job_id)
        media = db.get(MediaFile, job.media_file_id) if job else None
        if job is None or media is None:
            return
        key = media.storage_key
    started = time.monotonic()
    try:
        measured: Measured | None = processor(storage, key)
        error = None
    except ProcessingFailed as exc:
        measured, error = None, exc.message
    except StorageError as exc:
        measured, error = None, f"the stored file could not be read: {exc}"
    except Exception as exc:
        log.exception("processing job %s failed", job_id)
        measured, error = None, f"processing failed: {type(exc).__name__}"
    seconds = time.monotonic() - started
    with factory() as db:
        job = db.get(ProcessingJob, job_id)
        media = db.get(MediaFile, job.media_file_id) if job else None
        if job is None or media is None:
            return
        job.finished_at = utcnow()
        if measured is not None:
            error = check_content(media, measured)
            metadata = None if error else measured.metadata
        else:
            metadata = None
        metrics.PROCESSING_DURATION.labels("ready" if metadata else "failed").observe(seconds)
        if metadata is not None:
            media.duration_seconds = metadata.duration_seconds
            media.width, media.height = metadata.display_width, metadata.display_height
            media.codec, media.bitrate = metadata.codec, metadata.bitrate
            media.frame_rate, media.video_quality = metadata.frame_rate, metadata.video_quality
            media.status, media.processing_error = "ready", None
            job.state = "done"
        else:
            media.status, media.processing_error = "failed", error
            job.state, job.error = "failed", error
        db.commit()


class ProcessingWorker:
    """A background thread that drains the queue; ``wake()`` skips the polling delay."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        storage: StorageService,
        processor: Processor | None = None,
        poll_seconds: float = 2.0,
        lease: timedelta = DEFAULT_LEASE,
    ) -> None:
        self._factory = factory
        self._storage = storage
        self._processor = processor or default_processor
        self._poll = poll_seconds
        self._lease = lease
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="processing-worker", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=10)

    def wake(self) -> None:
        self._wake.set()

    def drain_once(self) -> int:
        """Run every job that can be claimed now; how many ran."""
        ran = 0
        while not self._stop.is_set():
            with self._factory() as db:
                job = claim_next(db, self.worker_id, self._lease)
                job_id = job.id if job else None
            if job_id is None:
                return ran
            run_job(self._factory, job_id, self._storage, self._processor)
            ran += 1
        return ran

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.drain_once()
            except Exception:
                log.exception("processing worker iteration failed")
            self._wake.wait(self._poll)
            self._wake.clear()
