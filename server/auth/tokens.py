"""Access tokens are short-lived JWTs; refresh tokens are opaque, stored hashed, and rotate.

Presenting a refresh token that was already rotated means it leaked: the whole family of
tokens descended from the same sign-in is revoked.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

import jwt
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server.auth import sign_ins
from server.db.models import RefreshToken, User
from server.db.types import new_id, utcnow

ALGORITHM = "HS256"
ISSUER = "reeldrop"


class TokenError(Exception):
    """A token is missing, malformed, forged, expired or revoked."""


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    session_id: str  # the refresh-token family of the sign-in that issued the token


def make_access_token(user: User, secret: str, lifetime_seconds: int, session_id: str) -> str:
    now = utcnow()
    claims = {
        "sub": user.id,
        "sid": session_id,
        "role": user.role,
        "typ": "access",
        "iss": ISSUER,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=lifetime_seconds)).timestamp()),
        "jti": new_id(),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_access_token(token: str, secret: str) -> AccessClaims:
    """Who the token was issued to, in which sign-in; raises TokenError otherwise.

    Checks only the signature and times; whether the sign-in is still live is
    ``sign_ins.is_live``'s question."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise TokenError("the access token has expired; refresh it or sign in again") from None
    except jwt.PyJWTError:
        raise TokenError("the access token is not valid") from None
    if claims.get("typ") != "access" or not claims.get("sid"):
        raise TokenError("the access token is not valid")
    return AccessClaims(str(claims["sub"]), str(claims["sid"]))


def issue_tokens(
    db: Session,
    user: User,
    secret: str,
    access_seconds: int,
    refresh_seconds: int,
    family_id: str | None = None,
) -> tuple[IssuedTokens, RefreshToken]:
    refresh = secrets.token_urlsafe(48)
    row = RefreshToken(
        user_id=user.id,
        token_hash=_hash(refresh),
        family_id=family_id or new_id(),
        expires_at=utcnow() + timedelta(seconds=refresh_seconds),
    )
    db.add(row)
    db.flush()
    access = make_access_token(user, secret, access_seconds, row.family_id)
    return IssuedTokens(access, refresh, access_seconds), row


def rotate_refresh_token(
    db: Session, presented: str, secret: str, access_seconds: int, refresh_seconds: int
) -> tuple[IssuedTokens, User]:
    row = db.execute(
        select(RefreshToken).where(RefreshToken.token_hash == _hash(presented)).with_for_update()
    ).scalar_one_or_none()
    if row is None:
        raise TokenError("the refresh token is not valid; sign in again")
    if row.revoked_at is not None:
        if row.replaced_by is not None:
            revoke_family(db, row.family_id)
            db.commit()
        raise TokenError("the refresh token was revoked; sign in again")
    if row.expires_at <= utcnow():
        raise TokenError("the refresh token has expired; sign in again")
    user = db.get(User, row.user_id)
    if user is None:
        raise TokenError("the refresh token is not valid; sign in again")
    issued, new_row = issue_tokens(
        db, user, secret, access_seconds, refresh_seconds, family_id=row.family_id
    )
    row.revoked_at = utcnow()
    row.replaced_by = new_row.id
    return issued, user


def revoke_refresh_token(db: Session, presented: str, user_id: str) -> bool:
    """Revoke the presented token's whole family (sign-out); only the caller's own tokens."""
    row = db.execute(
        select(RefreshToken).where(RefreshToken.token_hash == _hash(presented))
    ).scalar_one_or_none()
    if row is None or row.user_id != user_id:
        return False
    revoke_family(db, row.family_id)
    return True


def revoke_family(db: Session, family_id: str) -> None:
    """End a sign-in: its refresh tokens and (through ``sid``) its access tokens."""
    db.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    sign_ins.forget(family_id)
