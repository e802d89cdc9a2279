"""First start of the store: a master key and the media bucket, kept in its data directory.

The master key's secret is kept (mode 0600) because operators and the server itself need it
to authorize; only its hash is in the store's database, as for every other key.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from server.b2store.access import SUPPORTED_CAPABILITIES
from server.b2store.context import StoreContext, hash_secret
from server.b2store.models import Bucket, Key

BUCKET_NAME = "reeldrop-media"
DEFAULT_URL = "http://127.0.0.1:8750"


@dataclass(frozen=True)
class MasterKey:
    key_id: str
    application_key: str
    bucket_name: str
    bucket_id: str


def _write_private(path: Path, data: dict[str, str]) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle)
    os.replace(tmp, path)


def ensure_master_key(ctx: StoreContext) -> MasterKey:
    path = ctx.root / "master-key.json"
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
        return MasterKey(
            data["keyId"], data["applicationKey"], data["bucketName"], data["bucketId"]
        )
    master = MasterKey(
        key_id="rdmaster" + secrets.token_hex(8),
        application_key="K" + secrets.token_urlsafe(30),
        bucket_name=BUCKET_NAME,
        bucket_id="rdbkt" + secrets.token_hex(10),
    )
    with ctx.factory() as db:
        db.add(Bucket(bucket_id=master.bucket_id, name=master.bucket_name, bucket_type="allPublic"))
        db.add(
            Key(
                key_id=master.key_id,
                secret_hash=hash_secret(master.application_key),
                name="master",
                capabilities=sorted(SUPPORTED_CAPABILITIES),
                is_master=True,
            )
        )
        db.commit()
    _write_private(
        path,
        {
            "keyId": master.key_id,
            "applicationKey": master.application_key,
            "bucketName": master.bucket_name,
            "bucketId": master.bucket_id,
        },
    )
    return master


def sweep_leftovers(ctx: StoreContext) -> int:
    """At start (nothing in flight): drop temp files of cut-off uploads, bytes a crash left
    without their database row, and parts of large files already finished or cancelled. How
    many were dropped."""
    from sqlalchemy import select

    from server.b2store.models import FileVersion

    dropped = ctx.blobs.sweep_temp()
    files, parts = ctx.blobs.stored_ids()
    with ctx.factory() as db:
        found = db.execute(select(FileVersion.file_id, FileVersion.action))
        rows = {file_id: action for file_id, action in found}
    for file_id in files:
        if rows.get(file_id) != "upload":
            ctx.blobs.drop_file(file_id)
            dropped += 1
    for file_id in parts:
        if rows.get(file_id) != "start":
            ctx.blobs.drop_parts(file_id)
            dropped += 1
    return dropped


SERVED_URL_FILE = "served-url"


def record_served_url(ctx: StoreContext) -> None:
    """Kept in the data directory at start, so ``storage-info`` names the URL really served."""
    path = ctx.root / SERVED_URL_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(ctx.public_url + "\n", encoding="utf-8")
    os.replace(tmp, path)


def served_url(data_dir: Path) -> str | None:
    path = data_dir / "b2store" / SERVED_URL_FILE
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def storage_info(data_dir: Path, public_url: str | None = None) -> dict[str, str]:
    """What ``reeldrop server storage-info --json`` prints (the master key: for operators).

    The URL is the one given, else the one the server recorded when it last started."""
    url = (public_url or served_url(data_dir) or DEFAULT_URL).rstrip("/")
    master = ensure_master_key(StoreContext.open(data_dir, url))
    return {
        "realmUrl": url,
        "keyId": master.key_id,
        "applicationKey": master.application_key,
        "bucketName": master.bucket_name,
        "bucketId": master.bucket_id,
    }
