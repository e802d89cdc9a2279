"""Reads and writes of jobs. Each write commits before returning, then tells subscribers."""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from daemon.jobs.models import Job, utcnow
from daemon.jobs.states import JobState, check_transition
from shared.control.schemas import JobEvent, JobView


class JobStore:
    def __init__(self, factory: sessionmaker[Session]) -> None:
        self.factory = factory
        self._subscribers: list[queue.Queue[JobEvent]] = []
        self._lock = threading.Lock()
        self.live: dict[str, tuple[float | None, int | None]] = {}  # id -> (speed, eta)

    # -- events ----------------------------------------------------------------------------

    def subscribe(self) -> queue.Queue[JobEvent]:
        q: queue.Queue[JobEvent] = queue.Queue(maxsize=10000)
        with self._lock:
            self._subscribers.append(q)
        return q

    def unsubscribe(self, q: queue.Queue[JobEvent]) -> None:
        with self._lock:
            if q in self._subscribers:
                self._subscribers.remove(q)

    def publish(self, event: JobEvent) -> None:
        with self._lock:
            targets = list(self._subscribers)
        for q in targets:
            with contextlib.suppress(queue.Full):  # a stalled reader never blocks uploads
                q.put_nowait(event)

    def view(self, job: Job) -> JobView:
        speed, eta = self.live.get(job.id, (None, None))
        active = job.state == JobState.UPLOADING
        return JobView(
            id=job.id,
            path=job.path,
            filename=job.filename,
            state=job.state,
            bytes_sent=job.bytes_sent,
            total_bytes=job.total_bytes,
            speed_bps=speed if active else None,
            eta_seconds=eta if active else None,
            media_file_id=job.media_file_id,
            course_id=job.course_id,
            error=job.error_message,
            error_code=job.error_code,
            duplicate_of=job.duplicate_of,
            created_at=job.created_at,
            updated_at=job.updated_at,
        )

    def _announce(self, job: Job) -> None:
        self.publish(JobEvent(type="job", job=self.view(job)))

    # -- reads -----------------------------------------------------------------------------

    def get(self, job_id: str) -> Job:
        with self.factory() as db:
            job = db.get(Job, job_id)
            if job is None:
                raise KeyError(job_id)
            return job

    def all(self) -> list[Job]:
        with self.factory() as db:
            return list(db.execute(select(Job).order_by(Job.created_at, Job.id)).scalars())

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
        also: Callable[[Session, Job], None] | None = None,
        **fields: Any,
    ) -> Job:
        """Change a job (and optionally its state) in one committed transaction.

        ``also`` runs inside the same transaction, so an outbox entry is never committed
        without the state change that needs it, nor the other way round.
        """
        with self.factory() as db:
            job = db.get(Job, job_id)
            if job is None:
                raise KeyError(job_id)
            if state is not None and state != job.state:
                check_transition(job.state, state)
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
        """Progress is frequent: kept live in memory, persisted at most every 2 s by callers."""
        self.live[job_id] = (speed, eta)
        with self.factory() as db:
            job = db.get(Job, job_id)
            if job is None or job.state != JobState.UPLOADING:
                return  # a late report from a transfer that was just paused or cancelled
            job.bytes_sent = bytes_sent
            db.commit()
        self._announce(job)

    def backoff(
        self, job_id: str, seconds: float, code: str, message: str, state: JobState | None = None
    ) -> Job:
        return self.update(
            job_id,
            state=state,
            error_code=code,
            error_message=message,
            next_attempt_at=utcnow() + timedelta(seconds=seconds),
        )


def due(job: Job, now: datetime | None = None) -> bool:
    return job.next_attempt_at is None or job.next_attempt_at <= (now or utcnow())
