"""One job's work, stage by stage. Each stage commits the state it leads to before acting."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from daemon.core.connectivity import Connectivity
from daemon.core.errors import JobNotFound
from daemon.jobs.models import Job, utcnow
from daemon.jobs.states import IllegalTransition, JobState, MovedOn
from daemon.jobs.store import JobStore
from daemon.outbox import close_session_later, enqueue
from daemon.pipeline.library_lookups import LibraryLookups, initiate_request
from daemon.pipeline.preparation import QUIET_SECONDS, StillBeingWritten, prepare
from daemon.pipeline.progress import ProgressReporter
from daemon.pipeline.thumbnails import Thumbnails
from daemon.serverapi.api import MediaApi
from daemon.serverapi.errors import NotSignedIn, ServerRejected, ServerUnavailable
from daemon.transfer.errors import FileChanged, TransferCancelled, TransferError
from daemon.transfer.part_stream import FileWatch
from daemon.transfer.target import UploadTarget
from daemon.transfer.uploader import Uploader
from shared.api_schemas import CompleteRequest, InitiateResponse
from shared.media.errors import MediaError
from shared.media.hashing import HashingStopped, sha1_file
from shared.media.metadata import VideoMetadata
from shared.policy import Policy

log = logging.getLogger(__name__)
S = JobState
SERVER_RETRY_SECONDS = 10
STORAGE_RETRY_SECONDS = 15
NOT_SIGNED_IN_WAIT = "waiting: signed out: sign in to continue"


class Stages:
    def __init__(
        self,
        store: JobStore,
        uploader: Uploader,
        thumbs_dir: Path,
        client: Callable[[], MediaApi | None],
        policy: Callable[[], Policy],
        connectivity: Connectivity | None = None,
    ) -> None:
        self.store, self.uploader, self.thumbs_dir = store, uploader, thumbs_dir
        self.client, self.policy = client, policy
        self.connectivity = connectivity or Connectivity(store.bus)
        self.on_signed_out: Callable[[], None] = lambda: None
        self.targets: dict[str, UploadTarget] = {}
        self.thumbnails = Thumbnails(store, thumbs_dir, policy)
        self.lookups = LibraryLookups(client, store)

    def close(self, grace: float = 0.0) -> int:
        """The daemon stops (the runs are cancelled): nothing new is asked on the side, and
        what is in flight (an early ``initiate``, a thumbnail) gets ``grace`` seconds to end;
        how many requests are still running then."""
        pools = (self.lookups.pool, self.thumbnails.pool)
        for pool in pools:
            pool.close()
        deadline = time.monotonic() + grace
        return sum(pool.unfinished_after(deadline - time.monotonic()) for pool in pools)

    def run(self, job_id: str, cancel: threading.Event) -> None:
        job = self.store.get(job_id)
        try:
            if job.state in (S.QUEUED, S.PROBING):
                try:
                    job = self.prepare(job)
                finally:  # rejected, waiting, paused or cancelled: asked for nothing
                    if job.state != S.INITIATING:
                        self.lookups.forget(job_id)
            new_session = job.state == S.INITIATING
            if new_session:
                job = self.initiate(job, cancel)
            if job.state == S.UPLOADING:
                self.upload(job, cancel, new_session=new_session)
        except TransferCancelled:
            # Pausing and cancelling are normal: one line, no traceback.
            log.info("job %s: upload stopped (%s)", job_id, self.store.get(job_id).state)
        except NotSignedIn:
            self.on_signed_out()
            self.store.backoff(job_id, 3600, "not_signed_in", NOT_SIGNED_IN_WAIT, unless=cancel)
        except ServerUnavailable:
            message = self.connectivity.unreachable(SERVER_RETRY_SECONDS)
            wait = SERVER_RETRY_SECONDS
            self.store.backoff(job_id, wait, "server_unreachable", message, unless=cancel)

    # -- probing ---------------------------------------------------------------------------

    def prepare(self, job: Job) -> Job:
        path = Path(job.path)
        if job.state == S.QUEUED:
            job = self.store.update(job.id, state=S.PROBING, error_code=None, error_message=None)
        unchanged = (
            job.metadata_json is not None
            and path.is_file()
            and job.file_mtime == path.stat().st_mtime
            and job.total_bytes == path.stat().st_size
        )
        if unchanged:
            return self.store.update(job.id, state=S.INITIATING)
        self.lookups.start(job, path, QUIET_SECONDS)  # asked while ffprobe runs
        try:
            ready = prepare(path, self.policy())
        except StillBeingWritten as exc:
            return self.store.update(
                job.id,
                state=S.QUEUED,
                error_code="still_writing",
                error_message=f"waiting: {exc}",
                next_attempt_at=_later(5),
            )
        except MediaError as exc:
            return self.store.update(
                job.id, state=S.REJECTED, error_code=exc.code, error_message=exc.message
            )
        return self.store.update(
            job.id,
            state=S.INITIATING,
            total_bytes=ready.size,
            file_mtime=ready.mtime,
            content_sha1=None,
            content_type=ready.content_type,
            metadata_json=ready.metadata,
            thumbnail_path=None,
        )

    # -- initiate --------------------------------------------------------------------------

    def initiate(self, job: Job, cancel: threading.Event) -> Job:
        early = self.lookups.take(job.id)  # asked while probing: used below or dropped
        client = self.client()
        if client is None:
            self.lookups.drop(job.id, early)
            return self.store.update(
                job.id,
                state=S.QUEUED,
                error_code="not_signed_in",
                error_message=NOT_SIGNED_IN_WAIT,
                next_attempt_at=_later(3600),
            )
        opened: InitiateResponse | None = None
        size, content_type = int(job.total_bytes), job.content_type
        try:
            request = initiate_request(job, size, content_type, job.content_sha1)
            opened = early.session(request, client) if early else None
            answer = opened or client.initiate(request)
            if answer.same_size_in_library:
                job = self.hash_file(job, cancel)
                answer = client.initiate(
                    initiate_request(job, size, content_type, job.content_sha1)
                )
        except FileChanged as exc:
            self.file_changed(job.id, None, exc)
            return self.store.get(job.id)
        except ServerRejected as exc:
            if exc.status == 429 and exc.code == "too_many_uploads":
                return self.store.backoff(job.id, 15, exc.code, f"waiting: {exc.message}")
            return self.store.update(
                job.id, state=S.REJECTED, error_code=exc.code, error_message=exc.message
            )
        finally:
            self.lookups.drop(job.id, early, used=opened.session_key if opened else None)
        self.connectivity.reachable()
        if answer.duplicate:
            return self.store.update(
                job.id,
                state=S.DUPLICATE,
                media_file_id=answer.media_file_id,
                duplicate_of=answer.media_file_id,
                cdn_url=answer.media_file.cdn_url if answer.media_file else None,
                error_code=None,
                error_message="already uploaded: this video is in your library",
            )
        assert answer.b2 and answer.storage_key and answer.session_key and answer.part_size
        self.targets[job.id] = UploadTarget.from_key(
            answer.b2, answer.storage_key, answer.part_size
        )
        try:
            return self.store.update(
                job.id,
                state=S.UPLOADING,
                session_key=answer.session_key,
                storage_key=answer.storage_key,
                thumbnail_key=answer.thumbnail_key,
                part_size=answer.part_size,
                bucket_id=answer.b2.bucket_id,
                bucket_name=answer.b2.bucket_name,
                large_file_id=None,
                bytes_sent=0,
                error_code=None,
                error_message=None,
                next_attempt_at=None,
            )
        except (IllegalTransition, JobNotFound):  # paused, cancelled, removed meanwhile:
            self.targets.pop(job.id, None)  # the session goes unused, and is closed
            close_session_later(self.store.factory, job.id, answer.session_key)
            raise

    def hash_file(self, job: Job, cancel: threading.Event) -> Job:
        """Hash the whole file before the upload only when the library holds a video of
        this very size (the server said ``sameSizeInLibrary``): only then can the server
        find it a duplicate, and then nothing is sent. Otherwise the upload starts at once
        and the stored file's SHA-1 is taken where it is read anyway (each part while it is
        sent, the whole file by the server's processing)."""
        watch = probed_file(job)
        try:
            sha1 = sha1_file(watch.path, stop=cancel)
        except HashingStopped:
            raise TransferCancelled() from None
        except OSError:
            raise FileChanged(watch.path.name) from None
        watch.check()  # raises FileChanged: the SHA-1 may mix old and new bytes
        return self.store.update(job.id, content_sha1=sha1)

    # -- upload ----------------------------------------------------------------------------

    def fresh_target(self, job: Job) -> UploadTarget:
        client = self.client()
        if client is None:
            raise NotSignedIn("sign in to upload")
        key = client.fresh_credentials(str(job.session_key))
        self.connectivity.reachable()
        target = UploadTarget.from_key(key, str(job.storage_key), int(job.part_size or 0))
        self.targets[job.id] = target
        return target

    def upload(self, job: Job, cancel: threading.Event, *, new_session: bool = False) -> None:
        """``new_session``: opened by this run, so the store holds nothing under its key."""
        try:
            target = self.targets.get(job.id) or self.fresh_target(job)
        except ServerRejected as exc:  # the session ended (expired, cancelled): start over
            self.store.update(
                job.id,
                state=S.QUEUED,
                session_key=None,
                large_file_id=None,
                error_code=exc.code,
                error_message=f"starting again: {exc.message}",
            )
            return
        path = Path(job.path)
        # Grabbed now, beside b2sdk's authorization and the large file's start (which wait on
        # the store), not once the parts are moving: an ffmpeg process started among four
        # sending parts cost a 1 GiB upload 37-60 ms on two cores; started here, it moves the
        # first part by 1-7 ms (docs/PERFORMANCE.md, "the thumbnail's moment").
        self.thumbnails.start(job, lambda made: self.send_thumbnail(job, target, made))
        try:
            result = self.uploader.upload(
                path,
                target,
                content_type=job.content_type or "video/mp4",
                content_sha1=job.content_sha1,
                resume_large_file_id=job.large_file_id,
                on_large_file_started=lambda fid: self.remember_large_file(job.id, fid),
                on_progress=ProgressReporter(self.store, job, self.client),
                refresh_target=lambda: self.fresh_target(job),
                cancel=cancel,
                watch=probed_file(job),
                on_retry=lambda reason, seconds: self.storage_retry(job.id, seconds, cancel),
                new_session=new_session,
            )
        except FileChanged as exc:
            self.file_changed(job.id, target, exc)
            return
        except TransferError as exc:
            if exc.transient:
                message = self.connectivity.unreachable(STORAGE_RETRY_SECONDS, "storage")
                wait = STORAGE_RETRY_SECONDS
                self.store.backoff(job.id, wait, "storage_unreachable", message, unless=cancel)
            else:
                self.store.update(
                    job.id,
                    state=S.FAILED,
                    error_code="upload_failed",
                    error_message=exc.message,
                    unless=cancel,
                )
            return
        finally:
            self.store.set_live(job.id, None, None)
        thumbnail_uploaded = self.upload_thumbnail(job, target)
        # Known for a file sent in one request (its SHA-1 followed it) or hashed because
        # the library had one of its size; otherwise the server's processing takes it.
        content_sha1 = job.content_sha1 or result.content_sha1
        request = CompleteRequest(
            session_key=str(job.session_key),
            storage_key=str(job.storage_key),
            content_sha1=content_sha1,
            metadata=VideoMetadata.model_validate(job.metadata_json) if job.metadata_json else None,
            thumbnail_uploaded=thumbnail_uploaded,
        )
        payload = request.model_dump(mode="json", by_alias=True, exclude_none=True)
        self.store.update(
            job.id,
            state=S.COMPLETING,
            bytes_sent=job.total_bytes,
            content_sha1=content_sha1,
            error_code=None,
            error_message=None,
            also=lambda db, j: enqueue(db, j.id, "complete", payload),
        )
        self.targets.pop(job.id, None)

    def storage_retry(self, job_id: str, seconds: float, cancel: threading.Event) -> None:
        """Storage did not answer; the uploader tries again in ``seconds``: say so, unless
        the user paused or cancelled the job meanwhile (then the run stops here)."""
        message = self.connectivity.unreachable(seconds, "storage")
        try:
            self.store.update(
                job_id, error_code="storage_unreachable", error_message=message, unless=cancel
            )
        except MovedOn:
            raise TransferCancelled() from None

    def file_changed(self, job_id: str, target: UploadTarget | None, exc: FileChanged) -> None:
        """Stop this upload, drop its session and large file (``target``: none started
        yet), and start over with the new content once the file is quiet (probing rejects
        it if it is no longer a video)."""
        job = self.store.get(job_id)
        log.info("job %s: %s; starting again once it is quiet", job_id, exc.message)
        if job.large_file_id and target is not None:
            self.uploader.cancel_large_file(target, job.large_file_id)
        session_key = job.session_key

        def cancel_session(db: Session, j: Job) -> None:
            if session_key:
                enqueue(db, j.id, "cancel", {"sessionKey": session_key})

        self.targets.pop(job_id, None)
        self.thumbnails.forget(job_id)
        self.store.update(
            job_id,
            state=S.QUEUED,
            error_code="file_changed",
            error_message=f"{exc.message}; starting again once it is quiet",
            content_sha1=None,
            metadata_json=None,
            thumbnail_path=None,
            session_key=None,
            large_file_id=None,
            bytes_sent=0,
            next_attempt_at=_later(QUIET_SECONDS),
            also=cancel_session,
        )

    def remember_large_file(self, job_id: str, large_file_id: str) -> None:
        """Committed before any part is sent, so a crash resumes this very large file."""
        self.store.update(job_id, large_file_id=large_file_id)

    def upload_thumbnail(self, job: Job, target: UploadTarget) -> bool:
        """Sent while the video was (usually); otherwise now, with the current key."""
        thumbnail = self.thumbnails.wait(job.id, job.session_key)
        if thumbnail.sent:
            return True
        made = thumbnail.path or job.thumbnail_path
        return bool(made) and self.send_thumbnail(job, target, Path(str(made)))

    def send_thumbnail(self, job: Job, target: UploadTarget, made: Path) -> bool:
        if not job.thumbnail_key or not made.exists():
            return False
        try:
            self.uploader.upload_small(made, target, job.thumbnail_key, "image/jpeg")
        except TransferError as exc:
            log.info("thumbnail of job %s not uploaded: %s", job.id, exc.message)
            return False
        return True


def probed_file(job: Job) -> FileWatch:
    """The file as probing saw it: any later change of size or mtime is a new file."""
    return FileWatch(Path(job.path), int(job.total_bytes), float(job.file_mtime or 0))


def _later(seconds: float) -> datetime:
    return utcnow() + timedelta(seconds=seconds)
