"""Listing, file info, hiding and deleting versions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.b2store import quota
from server.b2store.access import key_for_token
from server.b2store.buckets import bucket_by_id
from server.b2store.context import Json, StoreContext, require
from server.b2store.errors import B2Error, bad_request, optional_text, whole_number
from server.b2store.files import check_name, file_dict, key_for_name, new_version
from server.b2store.models import FileVersion


def _limit(body: dict[str, Any]) -> int:
    return whole_number(body, "maxFileCount", 100, 1, 10000)


def _versions(
    db: Session, bucket_id: str, prefix: str, actions: tuple[str, ...]
) -> list[FileVersion]:
    query = select(FileVersion).where(
        FileVersion.bucket_id == bucket_id, FileVersion.action.in_(actions)
    )
    if prefix:
        query = query.where(FileVersion.name >= prefix, FileVersion.name < prefix + "\U0010ffff")
    rows = list(db.execute(query).scalars())
    rows.sort(key=lambda v: (v.name, -v.sequence))
    return rows


def _fold(rows: list[dict[str, Any]], prefix: str, delimiter: str | None) -> list[dict[str, Any]]:
    """With a delimiter, names below a 'folder' collapse into one folder entry."""
    if not delimiter:
        return rows
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for row in rows:
        rest = row["fileName"][len(prefix) :]
        cut = rest.find(delimiter)
        if cut < 0:
            out.append(row)
            continue
        folder = prefix + rest[: cut + len(delimiter)]
        if folder not in seen:
            seen.add(folder)
            out.append(
                {
                    **row,
                    "action": "folder",
                    "fileName": folder,
                    "fileId": None,
                    "contentLength": 0,
                    "contentSha1": None,
                    "fileInfo": {},
                    "uploadTimestamp": 0,
                }
            )
    return out


def _listing_scope(ctx: StoreContext, token: str | None, body: dict[str, Any]) -> tuple[str, str]:
    bucket_id = str(body.get("bucketId", ""))
    prefix = optional_text(body, "prefix") or optional_text(body, "namePrefix") or ""
    with ctx.factory() as db:
        key = key_for_token(ctx, db, token)
    require(key, "listFiles", bucket_id=bucket_id)
    if key.name_prefix and not prefix.startswith(key.name_prefix):
        raise B2Error(
            401, "unauthorized", f"this key may only list names starting with {key.name_prefix!r}"
        )
    bucket_by_id(ctx, bucket_id)
    return bucket_id, prefix


def list_file_names(ctx: StoreContext, token: str | None, body: Json) -> Json:
    bucket_id, prefix = _listing_scope(ctx, token, body)
    start, limit = optional_text(body, "startFileName") or "", _limit(body)
    with ctx.factory() as db:
        rows = _versions(db, bucket_id, prefix, ("upload", "hide"))
    latest: dict[str, FileVersion] = {}
    for row in rows:
        latest.setdefault(row.name, row)
    visible = [
        file_dict(v) for name, v in sorted(latest.items()) if v.action == "upload" and name >= start
    ]
    folded = _fold(visible, prefix, optional_text(body, "delimiter"))
    page = folded[:limit]
    nxt = folded[limit]["fileName"] if len(folded) > limit else None
    return {"files": page, "nextFileName": nxt}


def list_file_versions(
    ctx: StoreContext, token: str | None, body: dict[str, Any]
) -> dict[str, Any]:
    bucket_id, prefix = _listing_scope(ctx, token, body)
    start_name = optional_text(body, "startFileName") or ""
    start_id = body.get("startFileId")
    limit = _limit(body)
    with ctx.factory() as db:
        rows = [
            v for v in _versions(db, bucket_id, prefix, ("upload", "hide")) if v.name >= start_name
        ]
    if start_id:
        ids = [v.file_id for v in rows]
        rows = rows[ids.index(start_id) :] if start_id in ids else rows
    folded = _fold([file_dict(v) for v in rows], prefix, optional_text(body, "delimiter"))
    page = folded[:limit]
    nxt = folded[limit] if len(folded) > limit else None
    return {
        "files": page,
        "nextFileName": nxt and nxt["fileName"],
        "nextFileId": nxt and nxt["fileId"],
    }


def list_unfinished(ctx: StoreContext, token: str | None, body: Json) -> Json:
    bucket_id, prefix = _listing_scope(ctx, token, body)
    start_id, limit = body.get("startFileId"), min(_limit(body), 100)
    with ctx.factory() as db:
        rows = _versions(db, bucket_id, prefix, ("start",))
    rows.sort(key=lambda v: (v.name, v.sequence))
    if start_id:
        ids = [v.file_id for v in rows]
        rows = rows[ids.index(start_id) :] if start_id in ids else rows
    return {
        "files": [file_dict(v) for v in rows[:limit]],
        "nextFileId": rows[limit].file_id if len(rows) > limit else None,
    }


def get_file_info(ctx: StoreContext, token: str | None, body: Json) -> Json:
    with ctx.factory() as db:
        key = key_for_token(ctx, db, token)
        version = db.get(FileVersion, str(body.get("fileId", "")))
    if version is None:
        raise B2Error(404, "not_found", "file not present")
    require(key, "readFiles", bucket_id=version.bucket_id, name=version.name)
    return file_dict(version)


def hide_file(ctx: StoreContext, token: str | None, body: Json) -> Json:
    bucket_id, name = str(body.get("bucketId", "")), check_name(body.get("fileName"))
    with ctx.factory() as db:
        key = key_for_name(ctx, db, token, bucket_id, name)
        current = _versions(db, bucket_id, name, ("upload", "hide"))
        current = [v for v in current if v.name == name]
        if not current:
            raise bad_request(f"no file named {name}", "no_such_file")
        if current[0].action == "hide":
            raise bad_request("file already hidden", "already_hidden")
        marker = new_version(bucket_id, name, "hide", charged_to=quota.account(key))
        db.add(marker)
        db.commit()
        return file_dict(marker)


def delete_file_version(
    ctx: StoreContext, token: str | None, body: dict[str, Any]
) -> dict[str, Any]:
    file_id, name = str(body.get("fileId", "")), body.get("fileName")
    with ctx.factory() as db:
        key = key_for_token(ctx, db, token)
        version = db.get(FileVersion, file_id)
        if version is None or version.name != name or version.action == "start":
            raise bad_request("file not present", "file_not_present")
        require(key, "deleteFiles", bucket_id=version.bucket_id, name=version.name)
        db.delete(version)
        db.commit()
    ctx.blobs.drop_file(file_id)
    return {"fileId": file_id, "fileName": name}
