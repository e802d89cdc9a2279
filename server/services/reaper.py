"""Clean-up of sessions that ended without a file: nothing is left billed or usable.

Expired and cancelled sessions get their unfinished large files cancelled and their scoped
keys deleted; completed sessions get their (no longer needed) keys deleted.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from server.db.models import UploadSession
from server.services.uploads import expire_stale
from server.storage.base import StorageError, StorageService

log = logging.getLogger(__name__)


def clean_session(storage: StorageService, session: UploadSession) -> None:
    if session.status in ("expired", "cancelled", "failed"):
        storage.cancel_unfinished_uploads(session.storage_key)
    if session.b2_key_id:
        storage.delete_key(session.b2_key_id)
    session.storage_cleaned = True


def reap_once(factory: sessionmaker[Session], storage: StorageService) -> int:
    """Expire silent sessions and clean every ended one; how many were cleaned."""
    with factory() as db:
        expire_stale(db)
        db.commit()
        ended = (
            db.execute(
                select(UploadSession)
                .where(
                    UploadSession.status.in_(("expired", "cancelled", "failed", "completed")),
                    UploadSession.storage_cleaned.is_(False),
                )
                .limit(200)
            )
            .scalars()
            .all()
        )
        cleaned = 0
        for session in ended:
            try:
                clean_session(storage, session)
                db.commit()
                cleaned += 1
            except StorageError as exc:
                db.rollback()
                log.warning("could not clean session %s yet: %s", session.session_key, exc)
        return cleaned


class Reaper:
    def __init__(
        self,
        factory: sessionmaker[Session],
        storage: StorageService,
        interval_seconds: float = 60.0,
    ) -> None:
        self._factory, self._storage, self._interval = factory, storage, interval_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="session-reaper", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                reap_once(self._factory, self._storage)
            except Exception:
                log.exception("session reaper iteration failed")
