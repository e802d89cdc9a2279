"""Jobs as the front ends see them: add, list, pause, resume, cancel, retry, remove, clear."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Collection
from pathlib import Path

from sqlalchemy.orm import Session

from daemon.core.errors import InvalidRequest
from daemon.jobs.models import Job
from daemon.jobs.states import IllegalTransition, JobState
from daemon.jobs.store import JobStore
from daemon.outbox import enqueue
from daemon.pipeline.runner import JobRunner
from shared.control import MAX_JOB_IDS
from shared.control.schemas import JobSource, JobView
from shared.control.states import FINISHED_STATES, TERMINAL_STATES
from shared.policy import Policy

log = logging.getLogger(__name__)
S = JobState
PAUSABLE = {S.QUEUED, S.PROBING, S.INITIATING, S.UPLOADING}
CANCELLABLE = PAUSABLE | {S.PAUSED, S.FAILED}
RETRYABLE = {S.FAILED, S.REJECTED, S.CANCELLED}


class JobService:
    def __init__(self, store: JobStore, runner: JobRunner, policy: Callable[[], Policy]) -> None:
        self.store, self.runner, self.policy = store, runner, policy

    # -- adding ----------------------------------------------------------------------------

    def video_files(self, paths: list[Path]) -> list[Path]:
        """Files to upload: each file given, and the videos (by the server's allowed
        formats) inside each folder given. A path that does not exist is refused."""
        allowed = {f".{fmt.lower().lstrip('.')}" for fmt in self.policy().allowed_video_formats}
        files: list[Path] = []
        for given in paths:
            path = given.expanduser().resolve()
            if path.is_dir():
                files.extend(
                    sorted(
                        p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in allowed
                    )
                )
            elif path.is_file():
                files.append(path)
            elif path.exists():
                raise InvalidRequest(f"{given} is not a regular file or folder", "not_a_file")
            else:
                raise InvalidRequest(f"{given} does not exist", "not_found")
        return files

    def add_files(
        self,
        paths: list[Path],
        course_id: str | None = None,
        source: JobSource = "cli",
        watch_folder: str | None = None,
    ) -> list[JobView]:
        """One job per video file; a file that already has a job keeps it (idempotent)."""
        jobs = [
            self._add_one(path, course_id, source, watch_folder) for path in self.video_files(paths)
        ]
        self.runner.wake()
        return [self.store.view(j) for j in jobs]

    def _add_one(
        self, path: Path, course_id: str | None, source: str, watch_folder: str | None
    ) -> Job:
        existing = self.store.find_latest_by_path(str(path))
        if existing is not None and _same_job(existing, path):
            return existing
        return self.store.add(
            path=str(path),
            filename=path.name,
            course_id=course_id,
            source=source,
            watch_folder=watch_folder,
        )

    # -- reading ---------------------------------------------------------------------------

    def all(self, ids: Collection[str] | None = None) -> list[JobView]:
        """Every job, or only those of ``ids``: a command following its own uploads should
        not have the whole history (hundreds of jobs after a term) built and sent to it
        twice a second, on the cores the uploads need."""
        if ids is not None and len(ids) > MAX_JOB_IDS:
            raise InvalidRequest(f"ask for at most {MAX_JOB_IDS} jobs by id, or for all")
        return [self.store.view(j) for j in self.store.all(ids)]

    def get(self, job_id: str) -> JobView:
        return self.store.view(self.store.get(job_id))

    # -- actions ---------------------------------------------------------------------------

    def _targets(self, job_id: str | None, states: set[JobState]) -> list[Job]:
        if job_id is not None:
            return [self.store.get(job_id)]  # JobNotFound for an unknown id
        return self.store.in_states(states)

    def pause(self, job_id: str | None) -> list[JobView]:
        changed = []
        for job in self._targets(job_id, PAUSABLE):
            if job.state in PAUSABLE:
                changed.append(self.store.update(job.id, state=S.PAUSED, by_user=True))
                self.runner.interrupt(job.id)
        self.runner.wake()  # a paused job holding a session frees a slot for another
        return [self.store.view(j) for j in changed]

    def resume(self, job_id: str | None) -> list[JobView]:
        changed = []
        for job in self._targets(job_id, {S.PAUSED}):
            if job.state == S.PAUSED:
                state = S.UPLOADING if job.session_key else S.QUEUED
                changed.append(
                    self.store.update(job.id, state=state, by_user=True, next_attempt_at=None)
                )
                self.runner.release(job.id)
        self.runner.wake()
        return [self.store.view(j) for j in changed]

    def cancel(self, job_id: str | None) -> list[JobView]:
        changed = []
        for job in self._targets(job_id, CANCELLABLE):
            if job.state not in CANCELLABLE:
                continue
            session_key = job.session_key

            def cancel_on_server(db: Session, j: Job, key: str | None = session_key) -> None:
                if key:
                    enqueue(db, j.id, "cancel", {"sessionKey": key})

            changed.append(
                self.store.update(
                    job.id,
                    state=S.CANCELLED,
                    by_user=True,
                    error_message="cancelled",
                    error_code="cancelled",
                    also=cancel_on_server,
                )
            )
            self.runner.interrupt(job.id)
        self.runner.wake()
        return [self.store.view(j) for j in changed]

    def retry(self, job_id: str | None) -> list[JobView]:
        changed = []
        for job in self._targets(job_id, RETRYABLE):
            if job.state in RETRYABLE:
                fresh = job.state == S.CANCELLED
                changed.append(
                    self.store.update(
                        job.id,
                        state=S.QUEUED,
                        by_user=True,
                        error_code=None,
                        error_message=None,
                        next_attempt_at=None,
                        content_sha1=None if job.state == S.REJECTED else job.content_sha1,
                        metadata_json=None if job.state == S.REJECTED else job.metadata_json,
                        **({"session_key": None, "large_file_id": None} if fresh else {}),
                    )
                )
                self.runner.release(job.id)
        self.runner.wake()
        return [self.store.view(j) for j in changed]

    def remove(self, job_id: str) -> None:
        """Forget one job. A job still on its way is cancelled first (and its session too)."""
        job = self.store.get(job_id)
        if job.state not in TERMINAL_STATES:
            # It moved on meanwhile (rejected, done, completing): it goes all the same, as one
            # read in that state would (the user asked for it to go, not for it to stop).
            with contextlib.suppress(IllegalTransition):
                self.cancel(job_id)
        self.runner.interrupt(job_id)
        self.store.remove(job_id)
        self.runner.wake()  # its session's cancel, queued by the cancel above

    def clear(self, everything: bool = False) -> int:
        """Remove finished jobs (done, duplicate); with ``everything`` every terminal one."""
        states = TERMINAL_STATES if everything else FINISHED_STATES
        jobs = self.store.in_states(states)
        for job in jobs:
            self.store.remove(job.id)
        return len(jobs)

    def forget_media(self, media_id: str) -> int:
        """Remove the finished uploads that stood for a media file now deleted: their
        playback URL is dead, and a new upload of the same file must really upload."""
        jobs = [
            job
            for job in self.store.in_states(FINISHED_STATES)
            if media_id in (job.media_file_id, job.duplicate_of)
        ]
        for job in jobs:
            self.store.remove(job.id)
        return len(jobs)


def _same_job(job: Job, path: Path) -> bool:
    """Whether ``job`` already stands for the file at ``path`` as it is now."""
    if JobState(job.state) not in TERMINAL_STATES:
        return True
    if JobState(job.state) not in FINISHED_STATES or job.file_mtime is None:
        return False
    stat = path.stat()
    return job.file_mtime == stat.st_mtime and job.total_bytes == stat.st_size
