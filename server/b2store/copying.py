"""Server-side copy: ``b2_copy_file`` and ``b2_copy_part`` (clients rename and move with them)."""

from __future__ import annotations

import re
from typing import Any

from server.b2store.access import key_for_token
from server.b2store.buckets import bucket_by_id
from server.b2store.context import MAX_PART, Json, StoreContext, require
from server.b2store.errors import B2Error, bad_request
from server.b2store.files import check_name, check_upload, resolve_content_type, store_upload
from server.b2store.headers import refuse_unsupported_fields
from server.b2store.large_files import check_part, store_part
from server.b2store.models import FileVersion

_RANGE = re.compile(r"^bytes=(\d+)-(\d+)$")


def _byte_range(raw: Any, size: int) -> tuple[int, int]:
    """B2's ``range``: ``bytes=first-last`` (inclusive); absent means the whole file."""
    if raw in (None, ""):
        return 0, size
    match = _RANGE.match(str(raw))
    if not match:
        raise bad_request("range must look like bytes=0-99")
    first, last = int(match.group(1)), int(match.group(2))
    if first > last or last >= size:
        raise B2Error(416, "range_not_satisfiable", f"range {raw} is outside the {size} bytes")
    return first, last + 1


def _source(ctx: StoreContext, file_id: Any) -> FileVersion:
    with ctx.factory() as db:
        version = db.get(FileVersion, str(file_id or ""))
    if version is None or version.action != "upload":
        raise bad_request(f"source file {file_id} is not present", "file_not_present")
    return version


def copy_file(ctx: StoreContext, token: str | None, body: Json) -> Json:
    refuse_unsupported_fields(body)
    source = _source(ctx, body.get("sourceFileId"))
    name = check_name(body.get("fileName"))
    bucket_id = str(body.get("destinationBucketId") or source.bucket_id)
    directive = body.get("metadataDirective") or "COPY"
    if directive not in ("COPY", "REPLACE"):
        raise bad_request("metadataDirective must be COPY or REPLACE")
    if directive == "COPY" and (body.get("contentType") or body.get("fileInfo")):
        raise bad_request("contentType and fileInfo go with metadataDirective REPLACE only")
    with ctx.factory() as db:
        key = key_for_token(ctx, db, token)
    require(key, "readFiles", bucket_id=source.bucket_id, name=source.name)
    require(key, "writeFiles", bucket_id=bucket_id, name=name)
    bucket_by_id(ctx, bucket_id)
    first, end = _byte_range(body.get("range"), source.size)
    if end - first > MAX_PART:
        raise bad_request("copy source is larger than 5 GB", "source_too_large")
    content_type, info = source.content_type, dict(source.file_info or {})
    if directive == "REPLACE":
        content_type = resolve_content_type(body.get("contentType"), name)
        info = body.get("fileInfo") or {}
        if not isinstance(info, dict) or len(info) > 10:
            raise bad_request("fileInfo must be an object with at most 10 entries")
    check_upload(ctx, key, name, end - first)
    tmp, size, sha1 = ctx.blobs.copy_range(source.file_id, first, end)
    try:
        stored = store_upload(ctx, key, bucket_id, name, tmp, size, sha1, content_type, info)
    finally:
        tmp.unlink(missing_ok=True)  # already moved into place unless storing it failed
    return {**stored, "action": "copy"}


def copy_part(ctx: StoreContext, token: str | None, body: Json) -> Json:
    refuse_unsupported_fields(body)
    source = _source(ctx, body.get("sourceFileId"))
    number = body.get("partNumber")
    if not isinstance(number, int):
        raise bad_request("partNumber is required")
    with ctx.factory() as db:
        key = key_for_token(ctx, db, token)
    require(key, "readFiles", bucket_id=source.bucket_id, name=source.name)
    first, end = _byte_range(body.get("range"), source.size)
    large_file_id = str(body.get("largeFileId", ""))
    check_part(ctx, key, large_file_id, number, end - first)
    tmp, size, sha1 = ctx.blobs.copy_range(source.file_id, first, end)
    try:
        return store_part(ctx, key, large_file_id, number, tmp, size, sha1)
    finally:
        tmp.unlink(missing_ok=True)
