"""``/v1/settings``: read and change settings (unknown keys are refused, all or nothing)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from daemon.control.deps import Core

router = APIRouter()


@router.get("/v1/settings")
def get_settings(core: Core) -> Any:
    return core.get_settings()


@router.put("/v1/settings")
def put_settings(body: dict[str, str | int | float | bool], core: Core) -> Any:
    return core.set_settings({key: str(value) for key, value in body.items()})
