"""The control API: a guard (bearer token, loopback Host), one translation of the core's
typed errors into answers, and a thin router per area over ``DaemonCore``."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from daemon.control import account, events, jobs, library, settings, system
from daemon.core.core import DaemonCore
from daemon.core.errors import CoreError
from daemon.jobs.states import IllegalTransition
from daemon.serverapi.errors import NotSignedIn, ServerRejected, ServerUnavailable
from daemon.settings import SettingError

ROUTERS = [
    jobs.router,
    account.router,
    settings.router,
    library.router,
    events.router,
    system.router,
]


def error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def translate(exc: Exception) -> JSONResponse | None:
    """The one place a core error becomes an HTTP answer; ``None`` for anything else."""
    if isinstance(exc, CoreError):
        return error(exc.status, exc.code, exc.message)
    if isinstance(exc, IllegalTransition):  # the job moved on between reading and acting
        return error(409, "job_moved_on", f"{exc}; it changed meanwhile, look again")
    if isinstance(exc, SettingError):
        return error(422, "invalid_setting", str(exc))
    if isinstance(exc, NotSignedIn):
        return error(401, "not_signed_in", str(exc))
    if isinstance(exc, ServerRejected):
        return error(exc.status if exc.status < 500 else 502, exc.code, exc.message)
    if isinstance(exc, ServerUnavailable):
        return error(503, "server_unreachable", str(exc))
    return None


def build_control_app(
    core: DaemonCore, token: str, port_ref: list[int], shutdown: Callable[[], Any]
) -> FastAPI:
    app = FastAPI(
        title="ReelDrop daemon control API", docs_url=None, redoc_url=None, openapi_url=None
    )
    app.state.core = core
    app.state.shutdown = shutdown

    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Response:
        host = request.headers.get("host", "")
        if host not in {f"127.0.0.1:{port_ref[0]}", f"localhost:{port_ref[0]}"}:
            return error(403, "bad_host", "requests must come to 127.0.0.1 on this port")
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return error(401, "unauthorized", "missing or wrong control token")
        try:
            return await call_next(request)
        except Exception as exc:
            answer = translate(exc)
            if answer is None:
                raise
            return answer

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        """Unmatched routes (an id with a ``/`` in it, say) answer in the API's own form."""
        code = "not_found" if exc.status_code == 404 else "http_error"
        where = f"{request.method} {unquote(request.url.path)}"
        return error(exc.status_code, code, f"{exc.detail}: nothing answers {where}")

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return error(422, "invalid_request", f"{where}: {first.get('msg', 'invalid request')}")

    for router in ROUTERS:
        app.include_router(router)
    return app
