"""Watched folders and the files taken from them, kept in the daemon's job database.

Both are new tables: ``create_schema`` adds them to an existing database without touching
the others, so a daemon upgraded in place keeps its jobs.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from daemon.db import Base
from daemon.jobs.models import utcnow


class WatchedFolder(Base):
    __tablename__ = "watched_folders"

    path: Mapped[str] = mapped_column(Text, primary_key=True)
    course_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    recursive: Mapped[bool] = mapped_column(Boolean, default=True)
    after_upload: Mapped[str] = mapped_column(String(8), default="keep")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class WatchedFile(Base):
    """A file the folder has dealt with (submitted as a job, or rejected), by path and
    content, so a restart, a rename or a move never uploads it again."""

    __tablename__ = "watched_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    folder: Mapped[str] = mapped_column(Text, index=True)
    path: Mapped[str] = mapped_column(Text, index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    mtime: Mapped[float] = mapped_column(Float)
    fingerprint: Mapped[str] = mapped_column(String(80), index=True)
    content_sha1: Mapped[str | None] = mapped_column(String(40), nullable=True)
    job_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    outcome: Mapped[str] = mapped_column(String(12))  # submitted | rejected
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
