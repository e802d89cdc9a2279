"""Large files: starting one, its parts, finishing (assembling) and cancelling it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from server.b2store import crashpoints, finishing, quota
from server.b2store.access import key_for_token
from server.b2store.blobs import sha1_hex
from server.b2store.context import ACCOUNT_ID, MAX_PART, MAX_PARTS, Json, StoreContext, require
from server.b2store.errors import bad_request, whole_number
from server.b2store.files import (
    check_file_size,
    check_name,
    file_dict,
    key_for_name,
    new_version,
    now_ms,
    resolve_content_type,
    token_seconds,
)
from server.b2store.headers import UNVERIFIED, refuse_unsupported_fields
from server.b2store.models import FileVersion, Key, Part


def start_large_file(ctx: StoreContext, token: str | None, body: Json) -> Json:
    refuse_unsupported_fields(body)
    bucket_id, name = str(body.get("bucketId", "")), check_name(body.get("fileName"))
    with ctx.factory() as db:
        key = key_for_name(ctx, db, token, bucket_id, name)
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
        with finishing.held():
            earlier = quota.own_unfinished(db, key, name)
            finishing.refuse_busy(earlier)
            unfinished_before = quota.replaced_unfinished(db, earlier)
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


def writable_unfinished(db: Session, key: Key, file_id: str) -> FileVersion:
    """An unfinished large file this key may add parts to, list, finish or cancel."""
    version = unfinished(db, file_id)
    require(key, "writeFiles", bucket_id=version.bucket_id, name=version.name)
    quota.require_own_large_file(key, version)
    return version


def get_upload_part_url(
    ctx: StoreContext, token: str | None, body: dict[str, Any]
) -> dict[str, Any]:
    file_id = str(body.get("fileId", ""))
    with ctx.factory() as db:
        key = key_for_token(ctx, db, token)
        writable_unfinished(db, key, file_id)
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
        writable_unfinished(db, key, file_id)
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


def store_part(
    ctx: StoreContext, key: Key, file_id: str, number: int, tmp: Path, size: int, sha1: str
) -> dict[str, Any]:
    if not 1 <= number <= MAX_PARTS:
        raise bad_request(f"part number must be between 1 and {MAX_PARTS}")
    if size > MAX_PART:
        raise bad_request("part is larger than 5 GB")
    with quota.accounting(key), finishing.unless_finishing(file_id), ctx.factory() as db:
        writable_unfinished(db, key, file_id)
        check_file_size(key, _other_parts_size(db, file_id, number) + size)
        quota.check_room(db, key, size, part=(file_id, number))
        ctx.blobs.keep_part(tmp, file_id, number, sha1)
        # Part files are named by their SHA-1: one kept before a crash took its row with
        # it is never the file the row names.
        crashpoints.reached("upload_part:kept")
        replaced = db.execute(
            select(Part.sha1).where(Part.file_id == file_id, Part.part_number == number)
        ).scalar_one_or_none()
        db.execute(delete(Part).where(Part.file_id == file_id, Part.part_number == number))
        db.add(
            Part(
                file_id=file_id,
                part_number=number,
                size=size,
                sha1=sha1,
                upload_timestamp=now_ms(),
                charged_to=quota.account(key),
            )
        )
        db.commit()
        if replaced is not None and sha1_hex(replaced) != sha1_hex(sha1):
            ctx.blobs.drop_part(file_id, number, replaced)  # still under the lock
    return {
        "fileId": file_id,
        "partNumber": number,
        "contentLength": size,
        "contentSha1": sha1,
        "uploadTimestamp": now_ms(),
    }


def list_parts(ctx: StoreContext, token: str | None, body: Json) -> Json:
    file_id = str(body.get("fileId", ""))
    start = whole_number(body, "startPartNumber", 1, 1, MAX_PARTS)
    limit = min(whole_number(body, "maxPartCount", 100, 1, MAX_PARTS), 1000)
    with ctx.factory() as db:
        key = key_for_token(ctx, db, token)
        writable_unfinished(db, key, file_id)
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
    with finishing.finishing(file_id), ctx.factory() as db:
        key = key_for_token(ctx, db, token)
        version = writable_unfinished(db, key, file_id)
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
        # Order of writes: the file's links to its parts, then the commit, then the parts'
        # own names. A crash before the commit leaves the parts and rows, so finishing again
        # works (the links, whose row is no upload, are swept at start); after it, only
        # the parts' leftover names, which nothing reads.
        ctx.blobs.assemble(file_id, [(n, by_number[n].sha1) for n in numbers])
        crashpoints.reached("finish_large_file:assembled")
        version.action = "upload"
        version.size = sum(by_number[n].size for n in numbers)
        version.sha1 = "none"
        version.upload_timestamp, version.sequence = now_ms(), time.time_ns()
        db.execute(delete(Part).where(Part.file_id == file_id))
        replaced = quota.replaced_versions(db, key, version.name, file_id)
        db.commit()
    crashpoints.reached("finish_large_file:committed")
    ctx.blobs.drop_parts(file_id)
    quota.drop_blobs(ctx.blobs, replaced)
    return file_dict(version)


def cancel_large_file(ctx: StoreContext, token: str | None, body: Json) -> Json:
    file_id = str(body.get("fileId", ""))
    with finishing.unless_finishing(file_id), ctx.factory() as db:
        key = key_for_token(ctx, db, token)
        version = writable_unfinished(db, key, file_id)
        db.execute(delete(Part).where(Part.file_id == file_id))
        db.delete(version)
        db.commit()
    ctx.blobs.drop_parts(file_id)
    ctx.blobs.drop_file(file_id)  # the links of a finish that failed before its commit
    return {
        "fileId": file_id,
        "accountId": ACCOUNT_ID,
        "bucketId": version.bucket_id,
        "fileName": version.name,
    }
