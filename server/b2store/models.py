"""The store's own metadata database (SQLite in its data directory), apart from the API's."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class StoreBase(DeclarativeBase):
    pass


class Key(StoreBase):
    __tablename__ = "keys"

    key_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    capabilities: Mapped[list[str]] = mapped_column(JSON)
    bucket_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    name_prefix: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    expires_at_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    is_master: Mapped[bool] = mapped_column(default=False)
    # Not part of B2: the largest file this key may store (an upload session's declared size).
    max_file_bytes: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # Not part of B2: the most this key may hold in all (see server/b2store/quota.py).
    max_total_bytes: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # Keys of one group share that total (an upload session's key and its replacements).
    quota_group: Mapped[str | None] = mapped_column(String(80), nullable=True)


class Bucket(StoreBase):
    __tablename__ = "buckets"

    bucket_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(63), unique=True)
    bucket_type: Mapped[str] = mapped_column(String(20), default="allPrivate")
    revision: Mapped[int] = mapped_column(Integer, default=1)


class FileVersion(StoreBase):
    """One version of a name: an upload, a hide marker, or an unfinished large file (start)."""

    __tablename__ = "file_versions"

    file_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    bucket_id: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(String(1024), index=True)
    action: Mapped[str] = mapped_column(String(10))
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    sha1: Mapped[str] = mapped_column(String(60), default="none")  # or "unverified:<sha1>"
    content_type: Mapped[str] = mapped_column(String(255), default="application/octet-stream")
    file_info: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    upload_timestamp: Mapped[int] = mapped_column(BigInteger)
    sequence: Mapped[int] = mapped_column(BigInteger, index=True)
    charged_to: Mapped[str | None] = mapped_column(String(80), nullable=True, index=True)


class Part(StoreBase):
    __tablename__ = "parts"
    __table_args__ = (UniqueConstraint("file_id", "part_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    file_id: Mapped[str] = mapped_column(String(80), index=True)
    part_number: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(BigInteger)
    sha1: Mapped[str] = mapped_column(String(40))
    upload_timestamp: Mapped[int] = mapped_column(BigInteger)
    charged_to: Mapped[str | None] = mapped_column(String(80), nullable=True, index=True)
