"""The daemon's facade: what the control API (and so the CLI and window) can ask for."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from daemon.jobs.models import Job
from daemon.jobs.states import TERMINAL, JobState
from daemon.jobs.store import JobStore
from daemon.outbox import Outbox, enqueue
from daemon.pipeline.runner import JobRunner
from daemon.pipeline.stages import Stages
from daemon.serverapi.client import ServerClient
from daemon.serverapi.errors import NotSignedIn, ServerUnavailable
from daemon.transfer.bandwidth import BandwidthLimiter
from daemon.transfer.uploader import B2Uploader
from shared.control.schemas import JobView
from shared.policy import Policy

log = logging.getLogger(__name__)
S = JobState
VIDEO_SUFFIXES = {".mp4", ".mov", ".webm", ".avi", ".mkv", ".m4v"}


class DaemonService:
    def __init__(
        self,
        factory: sessionmaker[Session],
        *,
        thumbs_dir: Path,
        limiter: BandwidthLimiter,
        concurrent_uploads: int = 2,
    ) -> None:
        self.store = JobStore(factory)
        self.limiter = limiter
        self.outbox = Outbox(factory)
        self._client: ServerClient | None = None
        self._policy = Policy()
        self._lock = threading.Lock()
        self.stages = Stages(self.store, B2Uploader(limiter), thumbs_dir, self.client, self.policy)
        self.runner = JobRunner(
            self.store, self.stages, self.outbox, self.client, concurrent_uploads
        )

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        self.runner.start()

    def stop(self) -> None:
        self.runner.stop()

    def client(self) -> ServerClient | None:
        return self._client

    def policy(self) -> Policy:
        return self._policy

    def attach_server(self, client: ServerClient | None) -> None:
        """Signed in (a client) or out (None). Waiting jobs and calls get a new chance."""
        self._client = client
        if client is not None:
            try:
                self._policy = client.policy()
            except ServerUnavailable:
                log.info("server policy not reachable; validating with the defaults")
            for job in self.store.in_states((S.QUEUED,)):
                if job.error_code == "not_signed_in":
                    self.store.update(
                        job.id, next_attempt_at=None, error_code=None, error_message=None
                    )
            self.outbox.retry_now()
        self.runner.wake()

    # -- jobs ------------------------------------------------------------------------------

    def add_files(self, paths: list[Path], course_id: str | None) -> list[JobView]:
        files: list[Path] = []
        for path in paths:
            path = path.expanduser().resolve()
            if path.is_dir():
                files.extend(
                    sorted(
                        p
                        for p in path.rglob("*")
                        if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES
                    )
                )
            else:
                files.append(path)
        jobs = [self.store.add(path=str(p), filename=p.name, course_id=course_id) for p in files]
        self.runner.wake()
        return [self.store.view(j) for j in jobs]

    def list_jobs(self) -> list[JobView]:
        return [self.store.view(j) for j in self.store.all()]

    def get_job(self, job_id: str) -> JobView:
        return self.store.view(self.store.get(job_id))

    def _targets(self, job_id: str | None, states: set[JobState]) -> list[str]:
        if job_id is not None:
            self.store.get(job_id)  # KeyError for an unknown id
            return [job_id]
        return [j.id for j in self.store.in_states(states)]

    def pause(self, job_id: str | None) -> list[JobView]:
        changed = []
        for jid in self._targets(job_id, {S.QUEUED, S.PROBING, S.INITIATING, S.UPLOADING}):
            job = self.store.get(jid)
            if job.state in (S.QUEUED, S.PROBING, S.INITIATING, S.UPLOADING):
                changed.append(self.store.update(jid, state=S.PAUSED))
                self.runner.interrupt(jid)
        return [self.store.view(j) for j in changed]

    def resume(self, job_id: str | None) -> list[JobView]:
        changed = []
        for jid in self._targets(job_id, {S.PAUSED}):
            job = self.store.get(jid)
            if job.state == S.PAUSED:
                state = S.UPLOADING if job.session_key else S.QUEUED
                changed.append(self.store.update(jid, state=state, next_attempt_at=None))
        self.runner.wake()
        return [self.store.view(j) for j in changed]

    def cancel(self, job_id: str | None) -> list[JobView]:
        changed = []
        live = {S.QUEUED, S.PROBING, S.INITIATING, S.UPLOADING, S.PAUSED, S.FAILED}
        for jid in self._targets(job_id, live):
            job = self.store.get(jid)
            if job.state not in live:
                continue
            session_key = job.session_key

            def cancel_on_server(db: Session, j: Job, key: str | None = session_key) -> None:
                if key:
                    enqueue(db, j.id, "cancel", {"sessionKey": key})

            changed.append(
                self.store.update(
                    jid,
                    state=S.CANCELLED,
                    error_message="cancelled",
                    error_code="cancelled",
                    also=cancel_on_server,
                )
            )
            self.runner.interrupt(jid)
        self.runner.wake()
        return [self.store.view(j) for j in changed]

    def retry(self, job_id: str | None) -> list[JobView]:
        changed = []
        for jid in self._targets(job_id, {S.FAILED, S.REJECTED, S.CANCELLED}):
            job = self.store.get(jid)
            if job.state in (S.FAILED, S.REJECTED, S.CANCELLED):
                fresh = job.state == S.CANCELLED
                changed.append(
                    self.store.update(
                        jid,
                        state=S.QUEUED,
                        error_code=None,
                        error_message=None,
                        next_attempt_at=None,
                        content_sha1=None if job.state == S.REJECTED else job.content_sha1,
                        **({"session_key": None, "large_file_id": None} if fresh else {}),
                    )
                )
        self.runner.wake()
        return [self.store.view(j) for j in changed]

    def terminal(self, job_id: str) -> bool:
        return JobState(self.store.get(job_id).state) in TERMINAL

    # -- settings --------------------------------------------------------------------------

    def set_bandwidth_limit(self, bytes_per_second: int | None) -> None:
        self.limiter.set_rate(bytes_per_second)

    def set_concurrent_uploads(self, n: int) -> None:
        self.runner.concurrency = max(1, n)
        self.runner.wake()

    def sign_out(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                client.logout()
            except (ServerUnavailable, NotSignedIn):
                client.token_store.clear()
