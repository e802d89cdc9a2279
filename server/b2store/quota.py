"""What a key made for one upload session may still store.

An upload session declares its video's size, and its key may hold that video and its
thumbnail, and no more (``Key.max_total_bytes``). Without a total, the key could write any
number of files under its prefix, each under the per-file cap. Every write by such a key
is charged to its account (its ``quota_group``, shared with the keys that replace it when
the session's credentials are renewed, else the key itself) and counts against what that
account holds: the files it stored and the parts of its unfinished large files.

Retries must not count twice, or an honest client that sends a file again after a lost
answer would run out of room: a capped key keeps one version of each name (an upload, or
the start of a large file, replaces what the key stored or began under that name), and a
part sent again replaces the part it repeats.

The check and the record that follows it run under one lock per store, because the
embedded store is served by one process; two parts received side by side cannot both take
the last room.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from threading import Lock

from sqlalchemy import and_, delete, func, not_, or_, select
from sqlalchemy.orm import Session

from server.b2store.blobs import BlobDir
from server.b2store.errors import B2Error, bad_request
from server.b2store.models import FileVersion, Key, Part

_LOCK = Lock()


def account(key: Key) -> str:
    """What a key's writes are charged to."""
    return key.quota_group or key.key_id


@contextmanager
def accounting(key: Key) -> Iterator[None]:
    """Hold the store's accounting lock while a capped key's write is checked and recorded."""
    if key.max_total_bytes is None:
        yield
        return
    with _LOCK:
        yield


def require_own_name(db: Session, key: Key, name: str) -> None:
    """A capped key writes (or hides) only names no other account wrote: the user's prefix
    is shared by all their sessions, and one session must not replace another's video."""
    if key.max_total_bytes is None:
        return
    others = db.execute(
        select(func.count())
        .select_from(FileVersion)
        .where(
            FileVersion.name == name,
            or_(FileVersion.charged_to.is_(None), FileVersion.charged_to != account(key)),
        )
    ).scalar_one()
    if others:
        raise B2Error(
            401,
            "unauthorized",
            f"{name} holds a file another upload stored; this key may write only its own names",
        )


def require_own_large_file(key: Key, version: FileVersion) -> None:
    """A capped key continues, lists, finishes or cancels only large files it started."""
    if key.max_total_bytes is not None and version.charged_to != account(key):
        raise B2Error(
            401,
            "unauthorized",
            "this key may only work on the large files its upload session started",
        )


def held_bytes(
    db: Session, charged_to: str, *, name: str | None = None, part: tuple[str, int] | None = None
) -> int:
    """Bytes an account holds, leaving out what the write at hand replaces: the key's stored
    versions of ``name`` or the earlier copy of ``part`` (file id, part number)."""
    files = select(func.coalesce(func.sum(FileVersion.size), 0)).where(
        FileVersion.charged_to == charged_to, FileVersion.action == "upload"
    )
    if name is not None:
        files = files.where(FileVersion.name != name)
    parts = select(func.coalesce(func.sum(Part.size), 0)).where(Part.charged_to == charged_to)
    if part is not None:
        parts = parts.where(not_(and_(Part.file_id == part[0], Part.part_number == part[1])))
    return int(db.execute(files).scalar_one()) + int(db.execute(parts).scalar_one())


def check_room(
    db: Session,
    key: Key,
    incoming: int,
    *,
    name: str | None = None,
    part: tuple[str, int] | None = None,
) -> None:
    """Refuse a write that would take a capped key past its session's total."""
    if key.max_total_bytes is None:
        return
    held = held_bytes(db, account(key), name=name, part=part)
    if held + incoming > key.max_total_bytes:
        raise bad_request(
            f"this key may hold {key.max_total_bytes} bytes in all (its upload session's "
            f"video and thumbnail); it holds {held} and this write adds {incoming}",
            "too_large",
        )


def replaced_versions(db: Session, key: Key, name: str, keep_file_id: str) -> list[str]:
    """Delete the rows of a capped key's older versions of ``name`` (uploads and hide
    markers, so no cycle of upload and hide piles up rows); their ids are returned so the
    caller drops the blobs once the deletion is committed."""
    ids = [i for i in _own_versions(db, key, name, ("upload", "hide")) if i != keep_file_id]
    if ids:
        db.execute(delete(FileVersion).where(FileVersion.file_id.in_(ids)))
    return ids


def own_unfinished(db: Session, key: Key, name: str) -> list[str]:
    """A capped key's unfinished large files of ``name``: what starting it again replaces."""
    return _own_versions(db, key, name, ("start",))


def replaced_unfinished(db: Session, ids: list[str]) -> list[str]:
    """Delete unfinished large files (``own_unfinished``) and their parts' rows (the
    client started that name again instead of resuming); their ids are returned."""
    if ids:
        db.execute(delete(Part).where(Part.file_id.in_(ids)))
        db.execute(delete(FileVersion).where(FileVersion.file_id.in_(ids)))
    return ids


def _own_versions(db: Session, key: Key, name: str, actions: tuple[str, ...]) -> list[str]:
    """Ids of the versions of ``name`` charged to a capped key's account (none if uncapped:
    B2's own keys keep every version)."""
    if key.max_total_bytes is None:
        return []
    found = db.execute(
        select(FileVersion.file_id).where(
            FileVersion.charged_to == account(key),
            FileVersion.name == name,
            FileVersion.action.in_(actions),
        )
    )
    return list(found.scalars())


def drop_blobs(blobs: BlobDir, file_ids: list[str], *, parts: bool = False) -> None:
    for file_id in file_ids:
        if parts:
            blobs.drop_parts(file_id)
        blobs.drop_file(file_id)  # for an unfinished one: the links of a failed finish
