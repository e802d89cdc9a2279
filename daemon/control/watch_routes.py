"""Control API for watched folders: ``GET/POST/DELETE /v1/watch``.

Mounted on the control app, so the token and Host checks of its middleware apply.
Errors become ``{"error": {"code", "message"}}`` here, once.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from daemon.watch.folders import NotWatched, WatchError
from daemon.watch.watcher import Watcher
from shared.control.schemas import WatchRequest

MAX_BODY = 64 * 1024


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


async def _json_body(request: Request) -> dict[str, Any] | JSONResponse:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY:
        return _error(413, "body_too_large", f"the request body is over {MAX_BODY} bytes")
    raw = await request.body()
    if len(raw) > MAX_BODY:
        return _error(413, "body_too_large", f"the request body is over {MAX_BODY} bytes")
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        return _error(400, "bad_request", "the request body is not JSON")
    if not isinstance(body, dict):
        return _error(400, "bad_request", "the request body must be a JSON object")
    return body


def _explain(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ())) or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts)


def build_watch_router(watcher: Watcher) -> APIRouter:
    router = APIRouter()

    @router.get("/v1/watch")
    def list_folders() -> Any:
        return {"folders": [v.model_dump(mode="json", by_alias=True) for v in watcher.views()]}

    @router.post("/v1/watch")
    async def add_folder(request: Request) -> Any:
        body = await _json_body(request)
        if isinstance(body, JSONResponse):
            return body
        try:
            wanted = WatchRequest.model_validate(body)
            view = watcher.add(wanted.path, wanted.course_id, wanted.recursive, wanted.after_upload)
        except ValidationError as exc:
            return _error(422, "invalid_watch", _explain(exc))
        except WatchError as exc:
            return _error(exc.status, exc.code, exc.message)
        return view.model_dump(mode="json", by_alias=True)

    @router.delete("/v1/watch")
    async def remove_folder(request: Request, path: str | None = None) -> Any:
        body = await _json_body(request)
        if isinstance(body, JSONResponse):
            return body
        target = path if path is not None else body.get("path")
        if not isinstance(target, str) or not target.strip():
            return _error(422, "invalid_watch", 'say which folder: {"path": ...} or ?path=')
        try:
            watcher.remove(target)
        except NotWatched as exc:
            return _error(exc.status, exc.code, exc.message)
        return {"removed": target}

    return router
