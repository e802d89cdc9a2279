"""What every router needs: the core the app was built around, and JSON dumping."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import BaseModel

from daemon.core.core import DaemonCore


def _core(request: Request) -> DaemonCore:
    core: DaemonCore = request.app.state.core
    return core


Core = Annotated[DaemonCore, Depends(_core)]


def dump(model: Any) -> Any:
    """Models (or lists of them) as camelCase JSON-ready data."""
    if isinstance(model, list):
        return [dump(m) for m in model]
    if isinstance(model, BaseModel):
        return model.model_dump(mode="json", by_alias=True)
    return model
