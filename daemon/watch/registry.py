"""Reads and writes of watched folders and taken files; each write commits before return."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from daemon.watch.models import WatchedFile, WatchedFolder
from daemon.watch.scanner import Seen


@dataclass(frozen=True)
class FolderConfig:
    path: str
    course_id: str | None = None
    recursive: bool = True
    after_upload: str = "keep"  # keep | move


@dataclass(frozen=True)
class Taken:
    """What is known about a file the folder took: enough to recognise it again."""

    id: int
    folder: str
    path: str
    size: int
    mtime: float
    fingerprint: str
    content_sha1: str | None
    job_id: str | None
    outcome: str


def _taken(row: WatchedFile) -> Taken:
    return Taken(
        row.id,
        row.folder,
        row.path,
        row.size,
        row.mtime,
        row.fingerprint,
        row.content_sha1,
        row.job_id,
        row.outcome,
    )


class WatchRegistry:
    def __init__(self, factory: sessionmaker[Session]) -> None:
        self.factory = factory

    # -- folders ---------------------------------------------------------------------------

    def folders(self) -> list[FolderConfig]:
        with self.factory() as db:
            rows = db.execute(select(WatchedFolder).order_by(WatchedFolder.created_at)).scalars()
            return [FolderConfig(r.path, r.course_id, r.recursive, r.after_upload) for r in rows]

    def save_folder(self, folder: FolderConfig) -> None:
        with self.factory() as db:
            row = db.get(WatchedFolder, folder.path) or WatchedFolder(path=folder.path)
            row.course_id, row.recursive = folder.course_id, folder.recursive
            row.after_upload = folder.after_upload
            db.add(row)
            db.commit()

    def remove_folder(self, path: str) -> bool:
        with self.factory() as db:
            gone = db.execute(delete(WatchedFolder).where(WatchedFolder.path == path))
            db.commit()
            return bool(gone.rowcount)  # type: ignore[attr-defined]

    # -- files -----------------------------------------------------------------------------

    def latest_by_path(self) -> dict[str, Taken]:
        """Every known path with its latest record: one query for a whole catch-up scan."""
        with self.factory() as db:
            rows = db.execute(select(WatchedFile).order_by(WatchedFile.id)).scalars()
            return {row.path: _taken(row) for row in rows}

    def with_fingerprint(self, fingerprint: str) -> list[Taken]:
        with self.factory() as db:
            rows = db.execute(
                select(WatchedFile).where(WatchedFile.fingerprint == fingerprint)
            ).scalars()
            return [_taken(r) for r in rows]

    def submitted_from(self, folder: str) -> list[Taken]:
        """Files of this folder handed to the jobs (latest record per path)."""
        with self.factory() as db:
            rows = db.execute(
                select(WatchedFile)
                .where(WatchedFile.folder == folder, WatchedFile.outcome == "submitted")
                .order_by(WatchedFile.id)
            ).scalars()
            return list({row.path: _taken(row) for row in rows}.values())

    def for_job(self, job_id: str) -> Taken | None:
        with self.factory() as db:
            row = (
                db.execute(select(WatchedFile).where(WatchedFile.job_id == job_id))
                .scalars()
                .first()
            )
            return _taken(row) if row else None

    def record(
        self,
        folder: str,
        seen: Seen,
        fingerprint: str,
        outcome: str,
        *,
        job_id: str | None = None,
        content_sha1: str | None = None,
    ) -> Taken:
        with self.factory() as db:
            row = WatchedFile(
                folder=folder,
                path=str(seen.path),
                size=seen.size,
                mtime=seen.mtime,
                fingerprint=fingerprint,
                outcome=outcome,
                job_id=job_id,
                content_sha1=content_sha1,
            )
            db.add(row)
            db.commit()
            return _taken(row)

    def update(self, record_id: int, **fields: object) -> None:
        with self.factory() as db:
            row = db.get(WatchedFile, record_id)
            if row is not None:
                for name, value in fields.items():
                    setattr(row, name, value)
                db.commit()
