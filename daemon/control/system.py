"""``/v1/status`` (everything a front end shows at once) and ``/v1/shutdown``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from daemon.control.deps import Core, dump

router = APIRouter()


@router.get("/v1/status")
def status(core: Core) -> Any:
    return dump(core.status())


@router.get("/v1/connectivity")
def connectivity(core: Core) -> Any:
    return dump(core.connectivity.view())


@router.post("/v1/shutdown")
def shutdown(request: Request) -> Any:
    request.app.state.shutdown()
    return {"stopping": True}
