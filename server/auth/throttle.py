"""Slow down password guessing without handing an attacker a way to lock people out.

Every sign-in first takes an attempt from counters in the database, in one atomic
``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` per counter, committed before the
password is checked. Parallel requests (in one process or many, on SQLite or PostgreSQL)
therefore queue on the counter row: with a limit of 5, exactly 5 passwords get checked.

Counters are kept per account *and* address pair (tight), per address (a campus NAT
serves many people) and per account (much higher). A counter over its limit stops the
attempt before the next counter is touched, so one address hammering an account exhausts
only its own pair: the real owner, signing in from elsewhere, still gets in.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, literal, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from server.db.models import LoginThrottle
from server.db.types import UTCDateTime, utcnow

WINDOW = timedelta(minutes=15)
PER_PAIR = 5
PER_ADDRESS = 50
PER_ACCOUNT = 100


def _buckets(email: str, address: str) -> list[tuple[str, int]]:
    return [
        (f"pair:{address}|{email}", PER_PAIR),
        (f"address:{address}", PER_ADDRESS),
        (f"account:{email}", PER_ACCOUNT),
    ]


def _take(db: Session, bucket: str, now: datetime) -> tuple[int, datetime]:
    """Count one more attempt on ``bucket`` (a new window when the old one ran out)."""
    insert: Any = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
    stale = LoginThrottle.window_started_at < literal(now - WINDOW, UTCDateTime())
    statement = (
        insert(LoginThrottle)
        .values(bucket=bucket, attempts=1, window_started_at=now)
        .on_conflict_do_update(
            index_elements=[LoginThrottle.bucket],
            set_={
                "attempts": case((stale, 1), else_=LoginThrottle.attempts + 1),
                "window_started_at": case(
                    (stale, literal(now, UTCDateTime())), else_=LoginThrottle.window_started_at
                ),
            },
        )
        .returning(LoginThrottle.attempts, LoginThrottle.window_started_at)
    )
    attempts, started = db.execute(statement).one()
    return int(attempts), started


def take_attempt(db: Session, email: str, address: str) -> int:
    """Seconds the caller must wait (0 = go ahead and check the password); commits."""
    now = utcnow()
    try:
        for bucket, limit in _buckets(email, address):
            attempts, started = _take(db, bucket, now)
            if attempts > limit:
                return max(1, int((started + WINDOW - now).total_seconds() + 0.999))
        return 0
    finally:
        db.commit()


def succeeded(db: Session, email: str, address: str) -> None:
    """A right password: the pair starts afresh and the wider counters give the attempt back."""
    pair, address_bucket, account = (bucket for bucket, _ in _buckets(email, address))
    db.execute(delete(LoginThrottle).where(LoginThrottle.bucket == pair))
    db.execute(
        update(LoginThrottle)
        .where(LoginThrottle.bucket.in_((address_bucket, account)), LoginThrottle.attempts > 0)
        .values(attempts=LoginThrottle.attempts - 1)
    )
    db.execute(delete(LoginThrottle).where(LoginThrottle.window_started_at < utcnow() - WINDOW))
