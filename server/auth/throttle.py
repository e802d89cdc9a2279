"""Slow down repeated failed sign-ins for one account or one address.

Failures are rows in the database, not process memory, so every server process behind a
load balancer sees the same count.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from server.db.models import LoginFailure
from server.db.types import utcnow

WINDOW = timedelta(minutes=15)
FREE_PER_ACCOUNT = 5
FREE_PER_ADDRESS = 30  # one address may serve many people (a campus NAT)
MAX_DELAY_SECONDS = 900


def _failures(db: Session, column: Any, value: str) -> tuple[int, datetime | None]:
    count, last = db.execute(
        select(func.count(LoginFailure.id), func.max(LoginFailure.created_at)).where(
            LoginFailure.created_at >= utcnow() - WINDOW, column == value
        )
    ).one()
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    return int(count), last


def retry_after_seconds(db: Session, email: str, address: str) -> int:
    """Seconds the caller must wait before another attempt (0 = may try now)."""
    wait = 0.0
    for column, value, free in (
        (LoginFailure.email, email, FREE_PER_ACCOUNT),
        (LoginFailure.address, address, FREE_PER_ADDRESS),
    ):
        count, last = _failures(db, column, value)
        if count < free or last is None:
            continue
        delay = min(MAX_DELAY_SECONDS, 2 ** (count - free + 1))
        wait = max(wait, (last + timedelta(seconds=delay) - utcnow()).total_seconds())
    return max(0, int(wait + 0.999))


def record_failure(db: Session, email: str, address: str) -> None:
    db.add(LoginFailure(email=email, address=address))
    db.execute(delete(LoginFailure).where(LoginFailure.created_at < utcnow() - WINDOW))


def clear_failures(db: Session, email: str) -> None:
    db.execute(delete(LoginFailure).where(LoginFailure.email == email))
