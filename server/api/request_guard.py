"""ASGI guard in front of ``/api/``: authorization before the body, capped JSON bodies.

FastAPI reads and parses a request's body before any dependency runs, so a bearer check in
a dependency comes too late to stop an anonymous client from making the server read
hundreds of megabytes. This guard answers 401 before a byte of the body is read, 413 as soon
as the body passes the cap, and 400 for JSON nested too deeply to parse safely.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.auth.tokens import TokenError, read_access_token
from server.json_limits import BodyRefused, check_nesting, declared_length, read_capped

# Calls a client makes before it has an access token.
PUBLIC_PATHS = frozenset({"/api/v1/auth/login", "/api/v1/auth/refresh"})
BODILESS_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def _answer(send: Send, status: int, code: str, message: str, **headers: str) -> None:
    body = json.dumps({"success": False, "error": {"code": code, "message": message}}).encode()
    raw_headers = [(b"content-type", b"application/json"), (b"connection", b"close")]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" else None
    return None


def _header(scope: Scope, wanted: bytes) -> str | None:
    for name, value in scope.get("headers", []):
        if name == wanted:
            return str(value.decode("latin-1"))
    return None


class RequestGuard:
    def __init__(self, app: ASGIApp, jwt_secret: str) -> None:
        self.app = app
        self.jwt_secret = jwt_secret

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or not path.startswith("/api/")
            or scope.get("method") in BODILESS_METHODS
        ):
            await self.app(scope, receive, send)
            return
        if path not in PUBLIC_PATHS:
            token = _bearer(scope)
            if token is None:
                await _answer(
                    send,
                    401,
                    "unauthorized",
                    "sign in first: no bearer token was sent",
                    **{"WWW-Authenticate": "Bearer"},
                )
                return
            try:
                read_access_token(token, self.jwt_secret)
            except TokenError as exc:
                await _answer(
                    send, 401, "invalid_token", str(exc), **{"WWW-Authenticate": "Bearer"}
                )
                return
        try:
            declared_length(_header(scope, b"content-length"))
            body = await read_capped(_chunks(receive))
            check_nesting(body)
        except BodyRefused as exc:
            code = "body_too_large" if exc.status == 413 else "invalid_request"
            await _answer(send, exc.status, code, exc.message)
            return
        await self.app(scope, _replay(body, receive), send)


async def _chunks(receive: Receive) -> AsyncIterator[bytes]:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        yield message.get("body", b"")
        if not message.get("more_body", False):
            return


def _replay(body: bytes, receive: Receive) -> Receive:
    """Hand the app the body already read, then whatever the connection says next."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            message: dict[str, Any] = {"type": "http.request", "body": body, "more_body": False}
            return message
        return await receive()

    return replay
