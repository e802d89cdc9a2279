"""Reads and writes of jobs. Each write commits before returning, then tells subscribers."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from daemon.core.errors import JobNotFound
from daemon.core.events import EventBus
from daemon.jobs.models import Job, OutboxEntry, utcnow
from daemon.jobs.states import USER_HELD, JobState, MovedOn, check_transition
from shared.control.schemas import JobError, JobSource, JobView

LIVE_STALE_SECONDS = 5.0
CLEARED_BY_PROGRESS = {"storage_unreachable", "server_unreachable", "not_signed_in"}


class JobStore:
    def __init__(self, factory: sessionmaker[Session], bus: EventBus | None = None) -> None:
        self.factory = factory
        self.bus = bus or EventBus()
        self._live: dict[str, tuple[float | None, int | None, float]] = {}
        """id -> (speed, eta, when measured): kept in memory only."""

    def set_live(self, job_id: str, speed: float | None, eta: int | None) -> None:
        self._live[job_id] = (speed, eta, time.monotonic())

    def live(self, job_id: str) -> tuple[float | None, int | None]:
        """Speed and ETA, or none when no byte moved for LIVE_STALE_SECONDS (a stalled
        upload shows no speed rather than the last one)."""
        speed, eta, at = self._live.get(job_id, (None, None, 0.0))
        if time.monotonic() - at > LIVE_STALE_SECONDS:
            return None, None
        return speed, eta

    def view(self, job: Job) -> JobView:
        speed, eta = self.live(job.id)
        active = job.state == JobState.UPLOADING
        error = None
        if job.error_code or job.error_message:
            error = JobError(
                code=job.error_code or "error", message=job.error_message or job.error_code or ""
            )
        return JobView(
            id=job.id,
            path=job.path,
            filename=job.filename,
            state=JobState(job.state),
            bytes_sent=job.bytes_sent or 0,
            total_bytes=job.total_bytes or 0,
            speed_bps=speed if active else None,
            eta_seconds=eta if active else None,
            media_file_id=job.media_file_id,
            cdn_url=job.cdn_url,
            thumbnail_path=job.thumbnail_path,
            course_id=job.course_id,
            error=error,
            duplicate_of=job.duplicate_of,
            source=_source(job.source),
            watch_folder=job.watch_folder,
            created_at=job.created_at,
            updated_at=job.updated_at,
        )

    def _announce(self, job: Job) -> None:
        self.bus.job(self.view(job))

    # -- reads -----------------------------------------------------------------------------

    def get(self, job_id: str) -> Job:
        with self.factory() as db:
            job = db.get(Job, job_id)
            if job is None:
                raise JobNotFound(job_id)
            return job

    def all(self, ids: Collection[str] | None = None) -> list[Job]:
        """Every job, or those of ``ids`` (an unknown id is left out)."""
        query = select(Job).order_by(Job.created_at, Job.id)
        if ids is not None:
            query = query.where(Job.id.in_(list(ids)))
        with self.factory() as db:
            return list(db.execute(query).scalars())

    def in_states(self, states: Iterable[JobState]) -> list[Job]:
        with self.factory() as db:
            return list(
                db.execute(
                    select(Job)
                    .where(Job.state.in_([str(s) for s in states]))
                    .order_by(Job.created_at, Job.id)
                ).scalars()
            )

    # -- writes ----------------------------------------------------------------------------

    def add(self, **fields: Any) -> Job:
        with self.factory() as db:
            job = Job(state=JobState.QUEUED, **fields)
            db.add(job)
            db.commit()
        self._announce(job)
        return job

    def update(
        self,
        job_id: str,
        *,
        state: JobState | None = None,
        by_user: bool = False,
        unless: threading.Event | None = None,
        also: Callable[[Session, Job], None] | None = None,
        **fields: Any,
    ) -> Job:
        """Change a job (and optionally its state) in one committed transaction.

        The transaction takes the write lock before it reads the job, so the checks below
        and the write see the same job: a user's action committed meanwhile is never
        overwritten. Only ``by_user`` moves a job out of a state the user holds it in
        (paused, cancelled, failed, rejected). ``unless``, a run's cancel event, marks a
        run's write: it is refused (MovedOn), a change of its fields alone included, once
        the event is set or once the user holds the job (their pause or cancel is committed
        before the run is told).
        ``also`` runs inside the same transaction, so an outbox entry is never committed
        without the state change that needs it. Never called inside another transaction
        of this thread: it would wait for itself.
        """
        with self.factory() as db:
            db.connection().exec_driver_sql("BEGIN IMMEDIATE")
            job = db.get(Job, job_id)
            if job is None:
                raise JobNotFound(job_id)
            old = JobState(job.state)
            if unless is not None and (unless.is_set() or old in USER_HELD):
                raise MovedOn(old)
            if state is not None and state != old:
                if old in USER_HELD and not by_user:
                    raise MovedOn(old)
                check_transition(old, state)
                job.state = state
            for name, value in fields.items():
                setattr(job, name, value)
            job.updated_at = utcnow()
            if also is not None:
                also(db, job)
            db.commit()
        self._announce(job)
        return job

    def progress(self, job_id: str, bytes_sent: int, speed: float | None, eta: int | None) -> None:
        """Progress is frequent: kept live in memory, persisted at most every 2 s by callers.

        ``bytesSent`` never goes backwards: a part sent again after an interruption was
        already counted once.
        """
        self.set_live(job_id, speed, eta)
        with self.factory() as db:
            job = db.get(Job, job_id)
            if job is None or job.state != JobState.UPLOADING:
                return  # a late report from a transfer that was just paused or cancelled
            if bytes_sent > (job.bytes_sent or 0):
                job.bytes_sent = bytes_sent
            if job.error_code in CLEARED_BY_PROGRESS:
                job.error_code = job.error_message = None  # bytes move again: not stale
            db.commit()
        self._announce(job)

    def remove(self, job_id: str) -> None:
        """Forget a job (and its pending server calls but a session's cancel); tells
        subscribers ``jobRemoved``."""
        with self.factory() as db:
            job = db.get(Job, job_id)
            if job is None:
                raise JobNotFound(job_id)
            # Its session's cancel stays queued: the server frees the session at once.
            db.execute(
                delete(OutboxEntry).where(
                    OutboxEntry.job_id == job_id, OutboxEntry.kind != "cancel"
                )
            )
            db.delete(job)
            db.commit()
        self._live.pop(job_id, None)
        self.bus.job_removed(job_id)

    def find_latest_by_path(self, path: str) -> Job | None:
        """The newest job for this file, if any (so adding a file twice is a no-op)."""
        with self.factory() as db:
            return db.execute(
                select(Job).where(Job.path == path).order_by(Job.created_at.desc()).limit(1)
            ).scalar_one_or_none()

    def backoff(
        self,
        job_id: str,
        seconds: float,
        code: str,
        message: str,
        *,
        unless: threading.Event | None = None,
    ) -> Job:
        return self.update(
            job_id,
            unless=unless,
            error_code=code,
            error_message=message,
            next_attempt_at=utcnow() + timedelta(seconds=seconds),
        )


def _source(value: str | None) -> JobSource:
    return "window" if value == "window" else "watch" if value == "watch" else "cli"


def due(job: Job, now: datetime | None = None) -> bool:
    return job.next_attempt_at is None or job.next_attempt_at <= (now or utcnow())
