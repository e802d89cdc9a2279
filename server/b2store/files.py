"""File versions: single uploads, large files and their parts, listing, hiding, deleting."""

from __future__ import annotations

import mimetypes
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from server.b2store import crashpoints, quota
from server.b2store.access import key_for_token, live_key
from server.b2store.buckets import bucket_by_id
from server.b2store.context import ACCOUNT_ID, MAX_PART, MAX_PARTS, Json, StoreContext, require
from server.b2store.errors import B2Error, bad_request, utf8, whole_number
from server.b2store.headers import UNVERIFIED, refuse_unsupported_fields
from server.b2store.models import FileVersion, Key, Part

UPLOAD_TOKEN_SECONDS = 24 * 3600


def _now_ms() -> int:
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
        upload_timestamp=_now_ms(),
        sequence=time.time_ns(),
        **fields,
    )


def token_seconds(key: Key) -> float:
    """Upload tokens live at most 24 h and never longer than the key that asked for them."""
    if key.expires_at_ms is None:
        return UPLOAD_TOKEN_SECONDS
    return max(0.0, min(UPLOAD_TOKEN_SECONDS, key.expires_at_ms / 1000 - time.time()))


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
        quota.check_room(db, key, size, name=name)


def start_large_file(ctx: StoreContext, token: str | None, body: Json) -> Json:
    refuse_unsupported_fields(body)
    bucket_id, name = str(body.get("bucketId", "")), check_name(body.get("fileName"))
    with ctx.factory() as db:
        key = key_for_token(ctx, db, token)
        require(key, "writeFiles", bucket_id=bucket_id, name=name)
        bucket_by_id(ctx, bucket_id)
        info = body.get("fileInfo") or {}
        if not isinstance(info, dict) or len(info) > 10:
            raise bad_request("fileInfo must be an object with at most 10 entries")
        version = new_version(
            bucket_id,
            name,
            "start",
            content_type=resolve_content_type(body.get("contentType"), name),
            file_info=info,
            charged_to=quota.account(key),
        )
        unfinished_before = quota.replaced_unfinished(db, key, name)
        stored_before = quota.replaced_versions(db, key, name, version.file_id)
        db.add(version)
        db.commit()
    quota.drop_blobs(ctx.blobs, unfinished_before, parts=True)
    quota.drop_blobs(ctx.blobs, stored_before)
    return file_dict(version)


def unfinished(db: Session, file_id: str) -> FileVersion:
    version = db.get(FileVersion, file_id)
    if version is None or version.action != "start":
        raise bad_request(f"no unfinished large file with id {file_id}", "bad_request")
    return version


def get_upload_part_url(
    ctx: StoreContext, token: str | None, body: dict[str, Any]
) -> dict[str, Any]:
    file_id = str(body.get("fileId", ""))
    with ctx.factory() as db:
        key = key_for_token(ctx, db, token)
        version = unfinished(db, file_id)
    require(key, "writeFiles", bucket_id=version.bucket_id, name=version.name)
    return {
        "fileId": file_id,
        "uploadUrl": f"{ctx.public_url}/b2store/upload_part/{file_id}",
        "authorizationToken": ctx.signer.mint("part", key.key_id, file_id, token_seconds(key)),
    }


def check_part(ctx: StoreContext, key: Key, file_id: str, number: int, length: int) -> None:
    """Everything that can refuse a part before a byte of it is received."""
    if not 1 <= number <= MAX_PARTS:
        raise bad_request(f"part number must be between 1 and {MAX_PARTS}")
    if length > MAX_PART + 40:  # 40: a SHA-1 sent as hex digits at the end
        raise bad_request("part is larger than 5 GB")
    with ctx.factory() as db:
        version = unfinished(db, file_id)
        require(key, "writeFiles", bucket_id=version.bucket_id, name=version.name)
        check_file_size(key, _other_parts_size(db, file_id, number) + length)
        quota.check_room(db, key, length, part=(file_id, number))


def _other_parts_size(db: Session, file_id: str, number: int) -> int:
    """The large file's size so far, without the part being (re)sent."""
    return int(
        db.execute(
            select(func.coalesce(func.sum(Part.size), 0)).where(
                Part.file_id == file_id, Part.part_number != number
            )
        ).scalar_one()
    )


def check_file_size(key: Key, size: int) -> None:
    """A key made for one upload session stores no file larger than the session declared."""
    if key.max_file_bytes is not None and size > key.max_file_bytes:
        raise bad_request(
            f"this key may store files of at most {key.max_file_bytes} bytes", "too_large"
        )


def store_part(
    ctx: StoreContext, key: Key, file_id: str, number: int, tmp: Path, size: int, sha1: str
) -> dict[str, Any]:
    if not 1 <= number <= MAX_PARTS:
        raise bad_request(f"part number must be between 1 and {MAX_PARTS}")
    if size > MAX_PART:
        raise bad_request("part is larger than 5 GB")
    with quota.accounting(key), ctx.factory() as db:
        version = unfinished(db, file_id)
        require(key, "writeFiles", bucket_id=version.bucket_id, name=version.name)
        check_file_size(key, _other_parts_size(db, file_id, number) + size)
        quota.check_room(db, key, size, part=(file_id, number))
        ctx.blobs.keep_part(tmp, file_id, number)
        # A part file newer than its row is caught by the SHA-1 check when finishing.
        crashpoints.reached("upload_part:kept")
        db.execute(delete(Part).where(Part.file_id == file_id, Part.part_number == number))
        db.add(
            Part(
                file_id=file_id,
                part_number=number,
                size=size,
                sha1=sha1,
                upload_timestamp=_now_ms(),
                charged_to=quota.account(key),
            )
        )
        db.commit()
    return {
        "fileId": file_id,
        "partNumber": number,
        "contentLength": size,
        "contentSha1": sha1,
        "uploadTimestamp": _now_ms(),
    }


def list_parts(ctx: StoreContext, token: str | None, body: Json) -> Json:
    file_id = str(body.get("fileId", ""))
    start = whole_number(body, "startPartNumber", 1, 1, MAX_PARTS)
    limit = min(whole_number(body, "maxPartCount", 100, 1, MAX_PARTS), 1000)
    with ctx.factory() as db:
        key = key_for_token(ctx, db, token)
        version = unfinished(db, file_id)
        require(key, "writeFiles", bucket_id=version.bucket_id, name=version.name)
        parts = (
            db.execute(
                select(Part)
                .where(Part.file_id == file_id, Part.part_number >= start)
                .order_by(Part.part_number)
                .limit(limit + 1)
            )
            .scalars()
            .all()
        )
    nxt = parts[limit].part_number if len(parts) > limit else None
    return {
        "parts": [
            {
                "fileId": p.file_id,
                "partNumber": p.part_number,
                "contentLength": p.size,
                "contentSha1": p.sha1,
                "contentMd5": None,
                "uploadTimestamp": p.upload_timestamp,
            }
            for p in parts[:limit]
        ],
        "nextPartNumber": nxt,
    }


def finish_large_file(ctx: StoreContext, token: str | None, body: Json) -> Json:
    file_id = str(body.get("fileId", ""))
    sha1s = body.get("partSha1Array")
    if not isinstance(sha1s, list) or not sha1s:
        raise bad_request("partSha1Array must list the SHA-1 of every part")
    with ctx.factory() as db:
        key = key_for_token(ctx, db, token)
        version = unfinished(db, file_id)
        require(key, "writeFiles", bucket_id=version.bucket_id, name=version.name)
        parts = (
            db.execute(select(Part).where(Part.file_id == file_id).order_by(Part.part_number))
            .scalars()
            .all()
        )
        by_number = {p.part_number: p for p in parts}
        for number, sha1 in enumerate(sha1s, start=1):
            part = by_number.get(number)
            if part is None:
                raise bad_request(f"part {number} was never uploaded", "missing_part")
            if part.sha1.removeprefix(UNVERIFIED) != str(sha1).removeprefix(UNVERIFIED):
                raise bad_request(f"part {number}'s SHA-1 does not match", "part_sha1_mismatch")
            if number < len(sha1s) and part.size < ctx.min_part_size:
                raise bad_request(
                    f"part {number} has {part.size} bytes; all parts but the last must have at "
                    f"least {ctx.min_part_size}"
                )
        if len(sha1s) < 2:
            raise bad_request("large files must have at least 2 parts")
        numbers = range(1, len(sha1s) + 1)
        check_file_size(key, sum(by_number[n].size for n in numbers))  # parts sent in parallel
        # Order of writes: the whole file, then the commit, then the parts' removal. A crash
        # before the commit leaves the parts and rows, so finishing again works; after it,
        # only leftover part files, which nothing reads.
        ctx.blobs.assemble(file_id, [(n, by_number[n].sha1) for n in numbers])
        crashpoints.reached("finish_large_file:assembled")
        version.action = "upload"
        version.size = sum(by_number[n].size for n in numbers)
        version.sha1 = "none"
        version.upload_timestamp, version.sequence = _now_ms(), time.time_ns()
        db.execute(delete(Part).where(Part.file_id == file_id))
        replaced = quota.replaced_versions(db, key, version.name, file_id)
        db.commit()
    crashpoints.reached("finish_large_file:committed")
    ctx.blobs.drop_parts(file_id)
    quota.drop_blobs(ctx.blobs, replaced)
    return file_dict(version)


def cancel_large_file(ctx: StoreContext, token: str | None, body: Json) -> Json:
    file_id = str(body.get("fileId", ""))
    with ctx.factory() as db:
        key = key_for_token(ctx, db, token)
        version = unfinished(db, file_id)
        require(key, "writeFiles", bucket_id=version.bucket_id, name=version.name)
        db.execute(delete(Part).where(Part.file_id == file_id))
        db.delete(version)
        db.commit()
    ctx.blobs.drop_parts(file_id)
    return {
        "fileId": file_id,
        "accountId": ACCOUNT_ID,
        "bucketId": version.bucket_id,
        "fileName": version.name,
    }
