"""``/v1/media``, ``/v1/courses``: the user's library on the server, via the daemon."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query

from daemon.control.deps import Core, dump
from shared.api_schemas import AttachRequest

router = APIRouter()


@router.get("/v1/media")
def media(
    core: Core,
    page: int = Query(1, ge=1),
    limit: int = Query(50, ge=1, le=100),
    type: str | None = Query(None, max_length=20),
    status: Literal["pending", "processing", "ready", "failed"] | None = None,
) -> Any:
    return dump(core.library.media(page=page, limit=limit, type=type, status=status))


@router.get("/v1/media/{media_id}")
def media_file(media_id: str, core: Core) -> Any:
    return dump(core.library.media_file(media_id))


@router.delete("/v1/media/{media_id}")
def delete_media(media_id: str, core: Core) -> Any:
    return core.delete_media(media_id)


@router.post("/v1/media/{media_id}/attach")
def attach(media_id: str, body: AttachRequest, core: Core) -> Any:
    return core.library.attach(media_id, body.video_id)


@router.get("/v1/courses")
def courses(core: Core) -> Any:
    return {"courses": dump(core.library.courses())}
