"""``/v1/login``, ``/v1/logout``, ``/v1/account``: the daemon's sign-in."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from daemon.control.deps import Core, dump
from shared.control.schemas import LoginRequest

router = APIRouter()


@router.post("/v1/login")
def login(body: LoginRequest, core: Core) -> Any:
    return dump(
        core.account.sign_in(body.server_url, body.email, body.password, body.insecure_storage)
    )


@router.post("/v1/logout")
def logout(core: Core) -> Any:
    return dump(core.account.sign_out())


@router.get("/v1/account")
def account(core: Core) -> Any:
    return dump(core.account.view())
