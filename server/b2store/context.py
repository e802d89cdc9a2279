"""What every store operation needs: its database, token signer, blobs and limits."""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, inspect, text
from sqlalchemy.orm import Session, sessionmaker

from server.b2store.blobs import BlobDir
from server.b2store.errors import B2Error, capability_missing
from server.b2store.models import Key, StoreBase
from server.b2store.tokens import TokenSigner
from server.db.engine import make_engine

Json = dict[str, Any]
ACCOUNT_ID = "reeldrop0001"
MB = 1000 * 1000
DEFAULT_MIN_PART = 5 * MB
DEFAULT_RECOMMENDED_PART = 100 * MB
MAX_PART = 5 * 1000 * MB
MAX_PARTS = 10_000


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _read_or_create_secret(path: Path) -> bytes:
    if path.exists():
        return path.read_bytes()
    value = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(value)
    return value


@dataclass
class StoreContext:
    root: Path
    public_url: str
    factory: sessionmaker[Session]
    signer: TokenSigner
    blobs: BlobDir
    min_part_size: int
    recommended_part_size: int
    account_token_seconds: float

    @classmethod
    def open(cls, data_dir: Path, public_url: str) -> StoreContext:
        root = data_dir / "b2store"
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        engine = make_engine(f"sqlite:///{root / 'store.sqlite'}")
        StoreBase.metadata.create_all(engine)
        _add_missing_columns(engine)
        min_part = int(os.environ.get("REELDROP_B2STORE_MIN_PART_SIZE", DEFAULT_MIN_PART))
        return cls(
            root=root,
            public_url=public_url.rstrip("/"),
            factory=sessionmaker(bind=engine, expire_on_commit=False),
            signer=TokenSigner(_read_or_create_secret(root / "token-secret")),
            blobs=BlobDir(root / "blobs"),
            min_part_size=min_part,
            recommended_part_size=max(
                min_part,
                int(
                    os.environ.get(
                        "REELDROP_B2STORE_RECOMMENDED_PART_SIZE", DEFAULT_RECOMMENDED_PART
                    )
                ),
            ),
            account_token_seconds=float(
                os.environ.get("REELDROP_B2STORE_TOKEN_SECONDS", 24 * 3600)
            ),
        )


_ADDED_COLUMNS = {
    "keys": {
        "max_file_bytes": "BIGINT",
        "max_total_bytes": "BIGINT",
        "quota_group": "VARCHAR(80)",
    },
    "file_versions": {"charged_to": "VARCHAR(80)"},
    "parts": {"charged_to": "VARCHAR(80)"},
}


def _add_missing_columns(engine: Engine) -> None:
    """Columns added after a store was first created (``create_all`` adds only tables)."""
    for table, columns in _ADDED_COLUMNS.items():
        present = {column["name"] for column in inspect(engine).get_columns(table)}
        for column, sql_type in columns.items():
            if column not in present:
                with engine.begin() as connection:
                    connection.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}"))


def require(
    key: Key, capability: str, *, bucket_id: str | None = None, name: str | None = None
) -> None:
    """Refuse what B2 refuses: a missing capability, another bucket, a name outside the prefix."""
    if capability not in key.capabilities:
        raise capability_missing(capability)
    if key.bucket_id and bucket_id is not None and bucket_id != key.bucket_id:
        raise B2Error(401, "unauthorized", "application key is restricted to another bucket")
    if key.name_prefix and name is not None and not name.startswith(key.name_prefix):
        raise B2Error(
            401,
            "unauthorized",
            f"application key is restricted to names starting with {key.name_prefix!r}",
        )
