"""File versions: names, single uploads and what every write shares (new versions, sizes)."""

from __future__ import annotations

import mimetypes
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from server.b2store import crashpoints, quota
from server.b2store.access import key_for_token, live_key
from server.b2store.buckets import bucket_by_id
from server.b2store.context import ACCOUNT_ID, Json, StoreContext, require
from server.b2store.errors import B2Error, bad_request, utf8
from server.b2store.models import FileVersion, Key

UPLOAD_TOKEN_SECONDS = 24 * 3600


def now_ms() -> int:
    return int(time.time() * 1000)


def check_name(name: Any) -> str:
    if not isinstance(name, str) or not name:
        raise bad_request("fileName is required")
    if len(utf8(name, "fileName").encode("utf-8")) > 1024:
        raise bad_request("fileName is longer than 1024 bytes")
    if any(ord(c) < 32 or ord(c) == 127 for c in name) or name.startswith("/") or "//" in name:
        raise bad_request("fileName has characters B2 does not allow")
    return name


def resolve_content_type(declared: str | None, name: str) -> str:
    """B2's ``b2/x-auto`` means: infer it from the name."""
    if declared and declared != "b2/x-auto":
        return declared
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def file_dict(f: FileVersion) -> dict[str, Any]:
    return {
        "accountId": ACCOUNT_ID,
        "action": f.action,
        "bucketId": f.bucket_id,
        "contentLength": f.size,
        "contentSha1": f.sha1 if f.action == "upload" else "none",
        "contentMd5": None,
        "contentType": f.content_type,
        "fileId": f.file_id,
        "fileInfo": dict(f.file_info or {}),
        "fileName": f.name,
        "uploadTimestamp": f.upload_timestamp,
        "serverSideEncryption": {"mode": None},
        "fileRetention": {"isClientAuthorizedToRead": True, "value": {"mode": None}},
        "legalHold": {"isClientAuthorizedToRead": True, "value": None},
        "replicationStatus": None,
    }


def new_version(bucket_id: str, name: str, action: str, **fields: Any) -> FileVersion:
    return FileVersion(
        file_id=f"4_z{bucket_id}_f{uuid.uuid4().hex}",
        bucket_id=bucket_id,
        name=name,
        action=action,
        upload_timestamp=now_ms(),
        sequence=time.time_ns(),
        **fields,
    )


def token_seconds(key: Key) -> float:
    """Upload tokens live at most 24 h and never longer than the key that asked for them."""
    if key.expires_at_ms is None:
        return UPLOAD_TOKEN_SECONDS
    return max(0.0, min(UPLOAD_TOKEN_SECONDS, key.expires_at_ms / 1000 - time.time()))


def key_for_name(
    ctx: StoreContext, db: Session, token: str | None, bucket_id: str, name: str
) -> Key:
    """The key of a request that writes ``name`` in ``bucket_id`` (a start or a hide),
    refused as B2 refuses, and when a session's key reaches for another upload's name."""
    key = key_for_token(ctx, db, token)
    require(key, "writeFiles", bucket_id=bucket_id, name=name)
    bucket_by_id(ctx, bucket_id)
    quota.require_own_name(db, key, name)
    return key


def get_upload_url(ctx: StoreContext, token: str | None, body: Json) -> Json:
    bucket_id = str(body.get("bucketId", ""))
    with ctx.factory() as db:
        key = key_for_token(ctx, db, token)
    require(key, "writeFiles", bucket_id=bucket_id)
    bucket_by_id(ctx, bucket_id)
    return {
        "bucketId": bucket_id,
        "uploadUrl": f"{ctx.public_url}/b2store/upload/{bucket_id}",
        "authorizationToken": ctx.signer.mint("upload", key.key_id, bucket_id, token_seconds(key)),
    }


def upload_key(ctx: StoreContext, token: str | None, kind: str, scope: str) -> Key:
    claims = ctx.signer.read(token, kind)
    if claims.scope != scope:
        raise B2Error(401, "bad_auth_token", f"the upload token is for another {kind} target")
    with ctx.factory() as db:
        return live_key(db, claims.key_id)


def store_upload(
    ctx: StoreContext,
    key: Key,
    bucket_id: str,
    name: str,
    tmp: Path,
    size: int,
    sha1: str,
    content_type: str,
    info: dict[str, str],
) -> dict[str, Any]:
    require(key, "writeFiles", bucket_id=bucket_id, name=name)
    version = new_version(
        bucket_id,
        name,
        "upload",
        size=size,
        sha1=sha1,
        content_type=content_type,
        file_info=info,
        charged_to=quota.account(key),
    )
    keep_version(ctx, key, version, tmp)
    return file_dict(version)


def keep_version(ctx: StoreContext, key: Key, version: FileVersion, tmp: Path) -> None:
    """Move a received (or copied) file into place and record it, if the key has room."""
    with quota.accounting(key), ctx.factory() as db:
        quota.require_own_name(db, key, version.name)
        quota.check_room(db, key, version.size, name=version.name)
        ctx.blobs.keep_file(tmp, version.file_id)
        crashpoints.reached("upload_file:kept")  # a file without a row: never listed or served
        db.add(version)
        replaced = quota.replaced_versions(db, key, version.name, version.file_id)
        db.commit()
    quota.drop_blobs(ctx.blobs, replaced)


def check_upload(ctx: StoreContext, key: Key, name: str, size: int) -> None:
    """Everything that can refuse a single-request upload before a byte of it is received."""
    check_file_size(key, size)
    with ctx.factory() as db:
        quota.require_own_name(db, key, name)
        quota.check_room(db, key, size, name=name)


def check_file_size(key: Key, size: int) -> None:
    """A key made for one upload session stores no file larger than the session declared."""
    if key.max_file_bytes is not None and size > key.max_file_bytes:
        raise bad_request(
            f"this key may store files of at most {key.max_file_bytes} bytes", "too_large"
        )
