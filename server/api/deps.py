"""Request dependencies: the database session, the settings, storage and the caller."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from server.api.errors import ApiError
from server.auth import sign_ins
from server.auth.tokens import TokenError, read_access_token
from server.config import Settings
from server.db.models import User
from server.storage.base import StorageService

_bearer = HTTPBearer(auto_error=False)


def get_db(request: Request) -> Iterator[Session]:
    """One session per request, closed afterwards; handlers commit what they change."""
    session: Session = request.app.state.session_factory()
    try:
        yield session
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_storage(request: Request) -> StorageService:
    return request.app.state.storage


Db = Annotated[Session, Depends(get_db)]
# Path parameters under the platform design's names, so generated clients match its documents.
MediaFileId = Annotated[str, Path(alias="mediaFileId")]
SessionKey = Annotated[str, Path(alias="sessionKey")]
AppSettings = Annotated[Settings, Depends(get_settings)]
Storage = Annotated[StorageService, Depends(get_storage)]


def current_user(
    db: Db,
    settings: AppSettings,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    challenge = {"WWW-Authenticate": "Bearer"}
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiError(401, "unauthorized", "sign in first: no bearer token was sent", challenge)
    try:
        claims = read_access_token(credentials.credentials, settings.jwt_secret)
    except TokenError as exc:
        raise ApiError(401, "invalid_token", str(exc), challenge) from None
    if not sign_ins.is_live(db, claims.session_id):
        raise ApiError(
            401, "invalid_token", "this sign-in has ended (signed out); sign in again", challenge
        )
    user = db.get(User, claims.user_id)
    # End the read before the request moves to its handler's thread: a connection held
    # across that hop, with every worker thread waiting for a connection, stalls the server
    # (200 concurrent progress reports did, until the pool timed out).
    db.commit()
    if user is None:
        raise ApiError(401, "invalid_token", "the account behind this token no longer exists")
    return user


CurrentUser = Annotated[User, Depends(current_user)]
