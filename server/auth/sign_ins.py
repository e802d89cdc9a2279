"""Is a sign-in still live? Access tokens name theirs (``sid``, the refresh-token family).

Signing out and refresh-token reuse revoke the family; every access token of that sign-in
must stop working then, not when it expires. The answer is cached for a few seconds per
process so a request costs no database query in the common case; a revocation made by
this process takes effect at once, one made by another process within ``TTL_SECONDS``.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.models import RefreshToken
from server.db.types import utcnow

TTL_SECONDS = 5.0
MAX_ENTRIES = 10_000

_lock = threading.Lock()
_live_until: dict[str, float] = {}


def is_live(db: Session, session_id: str) -> bool:
    now = time.monotonic()
    with _lock:
        if _live_until.get(session_id, 0.0) > now:
            return True
    live = (
        db.execute(
            select(RefreshToken.id)
            .where(
                RefreshToken.family_id == session_id,
                RefreshToken.revoked_at.is_(None),
                RefreshToken.expires_at > utcnow(),
            )
            .limit(1)
        ).first()
        is not None
    )
    if live:
        with _lock:
            if len(_live_until) >= MAX_ENTRIES:
                _live_until.clear()
            _live_until[session_id] = now + TTL_SECONDS
    return live


def forget(session_id: str) -> None:
    with _lock:
        _live_until.pop(session_id, None)
