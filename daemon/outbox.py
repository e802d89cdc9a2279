"""The durable outbox: server calls that must happen, committed with the state change that
needs them and retried until the server acknowledges. The server makes each idempotent."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from daemon.core.errors import JobNotFound
from daemon.jobs.models import OutboxEntry, utcnow
from daemon.jobs.states import IllegalTransition
from daemon.serverapi.errors import NotSignedIn, ServerRejected, ServerUnavailable

log = logging.getLogger(__name__)
Handler = Callable[[dict[str, Any]], Any]
SESSION_CLOSING = ("complete", "cancel")


def enqueue(db: Session, job_id: str, kind: str, payload: dict[str, Any]) -> None:
    """Add a call inside the caller's transaction (commit it with the job's state)."""
    db.add(OutboxEntry(job_id=job_id, kind=kind, payload=payload))


def close_session_later(factory: sessionmaker[Session], job_id: str, session_key: str) -> None:
    """Queue the cancel of a session a job will not use, on its own: the job may have been
    paused, cancelled or removed meanwhile, and a removed job's session cancel is kept too
    (``JobStore.remove``), so the server frees the session at once."""
    with factory() as db:
        enqueue(db, job_id, "cancel", {"sessionKey": session_key})
        db.commit()


class Outbox:
    def __init__(self, factory: sessionmaker[Session]) -> None:
        self.factory = factory

    def pending(self, job_id: str | None = None) -> list[OutboxEntry]:
        with self.factory() as db:
            query = select(OutboxEntry).where(OutboxEntry.state == "pending")
            if job_id:
                query = query.where(OutboxEntry.job_id == job_id)
            return list(db.execute(query.order_by(OutboxEntry.id)).scalars())

    def sessions_closing(self) -> int:
        """Sessions the server still counts as open until a queued ``complete`` or
        ``cancel`` reaches it: a new session asked for before then may be refused."""
        with self.factory() as db:
            query = select(func.count()).where(
                OutboxEntry.state == "pending", OutboxEntry.kind.in_(SESSION_CLOSING)
            )
            return int(db.execute(query).scalar_one())

    def next_attempts(self) -> list[datetime]:
        """When each waiting call is tried next (the scheduler sleeps until the first)."""
        with self.factory() as db:
            query = select(OutboxEntry.next_attempt_at).where(OutboxEntry.state == "pending")
            return list(db.execute(query).scalars())

    def deliver_due(
        self,
        handlers: dict[str, Handler],
        on_delivered: Callable[[OutboxEntry, Any], None],
        on_failed: Callable[[OutboxEntry, str], None],
        now: datetime | None = None,
    ) -> int:
        """Deliver what is due at ``now``, in order per job; how many were delivered. A
        call that fails in a way no retry mends is set aside, and one that fails
        unexpectedly waits its turn again: neither holds up the calls of other jobs, nor the
        scheduler's look, which starts the jobs after this."""
        delivered = 0
        blocked: set[str] = set()
        now = now or utcnow()
        for entry in self.pending():
            if entry.job_id in blocked:
                continue
            if entry.next_attempt_at > now:
                blocked.add(entry.job_id)
                continue
            handler = handlers.get(entry.kind)
            if handler is None:  # written by another version of the daemon: never deliverable
                log.warning("server call %s for job %s is unknown here", entry.kind, entry.job_id)
                self._finish(entry, "failed", f"unknown server call {entry.kind!r}")
                continue
            try:
                result = handler(entry.payload)
            except (ServerUnavailable, NotSignedIn) as exc:
                self._retry_later(entry, str(exc))
                blocked.add(entry.job_id)
                continue
            except ServerRejected as exc:
                if _applied(on_failed, entry, exc.message):
                    self._finish(entry, "failed", exc.message)
                else:
                    self._retry_later(entry, "the refusal could not be recorded")
                    blocked.add(entry.job_id)
                continue
            except Exception as exc:  # a bug, an answer this version cannot read: not the others'
                log.exception("server call %s for job %s failed", entry.kind, entry.job_id)
                self._retry_later(entry, f"unexpected error: {type(exc).__name__}")
                blocked.add(entry.job_id)
                continue
            if not _applied(on_delivered, entry, result):  # asked again later: idempotent
                self._retry_later(entry, "the answer could not be recorded")
                blocked.add(entry.job_id)
                continue
            self._finish(entry, "delivered", None)
            delivered += 1
        return delivered

    def _retry_later(self, entry: OutboxEntry, error: str) -> None:
        with self.factory() as db:
            row = db.get(OutboxEntry, entry.id)
            if row is None:
                return
            row.attempts += 1
            row.last_error = error
            row.next_attempt_at = utcnow() + timedelta(seconds=min(60, 2 ** min(row.attempts, 6)))
            db.commit()
        log.info("server call %s for job %s will be retried: %s", entry.kind, entry.job_id, error)

    def _finish(self, entry: OutboxEntry, state: str, error: str | None) -> None:
        with self.factory() as db:
            row = db.get(OutboxEntry, entry.id)
            if row is not None:
                row.state, row.last_error = state, error
                db.commit()

    def retry_now(self) -> None:
        """The server may be back (e.g. after sign-in): make every waiting call due."""
        with self.factory() as db:
            for row in db.execute(
                select(OutboxEntry).where(OutboxEntry.state == "pending")
            ).scalars():
                row.next_attempt_at = utcnow()
            db.commit()


def _applied(callback: Callable[[OutboxEntry, Any], None], entry: OutboxEntry, value: Any) -> bool:
    """Record an answer with its job; False when that failed (a full disk), so the call is
    made again later. A job removed or moved on meanwhile has nothing left to record."""
    try:
        callback(entry, value)
    except (JobNotFound, IllegalTransition) as exc:
        log.info("server call %s for job %s: %s", entry.kind, entry.job_id, exc)
    except Exception:
        log.exception(
            "server call %s for job %s: the answer was not recorded", entry.kind, entry.job_id
        )
        return False
    return True
