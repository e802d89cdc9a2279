"""``/api/v1/auth``: sign in, refresh (rotating), sign out, who am I."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import func, select

from server.api.deps import AppSettings, CurrentUser, Db
from server.api.errors import ApiError
from server.api.serializers import user_out
from server.auth import throttle
from server.auth.passwords import verify_password
from server.auth.tokens import (
    IssuedTokens,
    TokenError,
    issue_tokens,
    revoke_refresh_token,
    rotate_refresh_token,
)
from server.db.models import User
from shared.api_schemas import LoginRequest, RefreshRequest, TokenPair, envelope

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def token_answer(issued: IssuedTokens, user: User) -> dict[str, Any]:
    return envelope(
        TokenPair(
            access_token=issued.access_token,
            refresh_token=issued.refresh_token,
            expires_in=issued.expires_in,
            user=user_out(user),
        )
    )


@router.post("/login")
def login(body: LoginRequest, request: Request, db: Db, settings: AppSettings) -> dict[str, Any]:
    email = body.email.strip().lower()
    address = _address(request)
    wait = throttle.take_attempt(db, email, address)
    if wait > 0:
        raise ApiError(
            429,
            "too_many_attempts",
            f"too many failed sign-ins; try again in {wait} seconds",
            {"Retry-After": str(wait)},
        )
    user = db.execute(select(User).where(func.lower(User.email) == email)).scalar_one_or_none()
    if not verify_password(user.password_hash if user else None, body.password) or user is None:
        raise ApiError(401, "invalid_credentials", "the email or password is not correct")
    throttle.succeeded(db, email, address)
    issued, _row = issue_tokens(
        db, user, settings.jwt_secret, settings.access_token_seconds, settings.refresh_token_seconds
    )
    db.commit()
    return token_answer(issued, user)


@router.post("/refresh")
def refresh(body: RefreshRequest, db: Db, settings: AppSettings) -> dict[str, Any]:
    try:
        issued, user = rotate_refresh_token(
            db,
            body.refresh_token,
            settings.jwt_secret,
            settings.access_token_seconds,
            settings.refresh_token_seconds,
        )
    except TokenError as exc:
        raise ApiError(401, "invalid_token", str(exc)) from None
    db.commit()
    return token_answer(issued, user)


@router.post("/logout")
def logout(body: RefreshRequest, user: CurrentUser, db: Db) -> dict[str, Any]:
    revoked = revoke_refresh_token(db, body.refresh_token, user.id)
    db.commit()
    return envelope({"revoked": revoked})


@router.get("/me")
def me(user: CurrentUser) -> dict[str, Any]:
    return envelope(user_out(user))
