"""Slow down repeated failed sign-ins for one account or one address.

Failures are rows in the database, not process memory, so every server process behind a
load balancer sees the same count.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from server.db.models import LoginFailure
from server.db.types import utcnow

WINDOW = timedelta(minutes=15)
FREE_ATTEMPTS = 5
MAX_DELAY_SECONDS = 900


def retry_after_seconds(db: Session, email: str, address: str) -> int:
    """Seconds the caller must wait before another attempt (0 = may try now)."""
    since = utcnow() - WINDOW
    count, last = db.execute(
        select(func.count(LoginFailure.id), func.max(LoginFailure.created_at)).where(
            LoginFailure.created_at >= since,
            or_(LoginFailure.email == email, LoginFailure.address == address),
        )
    ).one()
    if count < FREE_ATTEMPTS or last is None:
        return 0
    delay = min(MAX_DELAY_SECONDS, 2 ** (count - FREE_ATTEMPTS + 1))
    if last.tzinfo is None:
        from datetime import UTC

        last = last.replace(tzinfo=UTC)
    remaining = (last + timedelta(seconds=delay) - utcnow()).total_seconds()
    return max(0, int(remaining + 0.999))


def record_failure(db: Session, email: str, address: str) -> None:
    db.add(LoginFailure(email=email, address=address))
    db.execute(delete(LoginFailure).where(LoginFailure.created_at < utcnow() - WINDOW))


def clear_failures(db: Session, email: str) -> None:
    db.execute(delete(LoginFailure).where(LoginFailure.email == email))
