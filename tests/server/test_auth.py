"""Sign-in, refresh rotation, sign-out and token checks, over HTTP on SQLite and PostgreSQL."""

from __future__ import annotations

import time

import httpx
import jwt

from tests.support.api import PASSWORD, add_user, new_account, sign_in
from tests.support.live_server import LiveServer


def test_login_answers_tokens_and_user(server: LiveServer) -> None:
    email = add_user(server)
    answer = httpx.post(
        f"{server.url}/api/v1/auth/login", json={"email": email.upper(), "password": PASSWORD}
    )
    assert answer.status_code == 200
    data = answer.json()["data"]
    assert set(data) >= {"accessToken", "refreshToken", "expiresIn", "user"}
    assert data["user"]["email"] == email and data["user"]["role"] == "instructor"
    me = httpx.get(
        f"{server.url}/api/v1/auth/me", headers={"Authorization": f"Bearer {data['accessToken']}"}
    )
    assert me.json()["data"]["id"] == data["user"]["id"]


def test_wrong_password_is_refused_without_saying_which_part(server: LiveServer) -> None:
    email = add_user(server)
    wrong = httpx.post(f"{server.url}/api/v1/auth/login", json={"email": email, "password": "x"})
    unknown = httpx.post(
        f"{server.url}/api/v1/auth/login",
        json={"email": "nobody@example.edu", "password": PASSWORD},
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["error"] == unknown.json()["error"]
    assert wrong.json()["success"] is False


def test_repeated_failures_for_one_account_are_slowed_down(server: LiveServer) -> None:
    email = add_user(server)
    statuses = [
        httpx.post(
            f"{server.url}/api/v1/auth/login", json={"email": email, "password": "wrong"}
        ).status_code
        for _ in range(7)
    ]
    assert statuses[:5] == [401] * 5
    assert 429 in statuses[5:]
    blocked = httpx.post(
        f"{server.url}/api/v1/auth/login", json={"email": email, "password": PASSWORD}
    )
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert "try again" in blocked.json()["error"]["message"]


def test_refresh_rotates_and_a_reused_token_revokes_the_family(server: LiveServer) -> None:
    account = new_account(server)
    first = httpx.post(
        f"{server.url}/api/v1/auth/refresh", json={"refreshToken": account.refresh_token}
    )
    assert first.status_code == 200
    rotated = first.json()["data"]["refreshToken"]
    assert rotated != account.refresh_token
    replay = httpx.post(
        f"{server.url}/api/v1/auth/refresh", json={"refreshToken": account.refresh_token}
    )
    assert replay.status_code == 401
    after_theft = httpx.post(f"{server.url}/api/v1/auth/refresh", json={"refreshToken": rotated})
    assert after_theft.status_code == 401, "a replayed token must revoke its whole family"


def test_logout_revokes_the_refresh_token(server: LiveServer) -> None:
    account = new_account(server)
    assert (
        account.post(
            "/api/v1/auth/logout", json={"refreshToken": account.refresh_token}
        ).status_code
        == 200
    )
    again = httpx.post(
        f"{server.url}/api/v1/auth/refresh", json={"refreshToken": account.refresh_token}
    )
    assert again.status_code == 401


def test_missing_forged_and_expired_tokens_are_refused(server: LiveServer) -> None:
    url = f"{server.url}/api/v1/media/user/media"
    missing = httpx.get(url)
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "unauthorized"
    forged_token = jwt.encode(
        {"sub": "x", "typ": "access", "iss": "reeldrop", "exp": int(time.time()) + 600},
        "a-different-secret-of-enough-length-0123456789",
        algorithm="HS256",
    )
    forged = httpx.get(url, headers={"Authorization": f"Bearer {forged_token}"})
    assert forged.status_code == 401 and forged.json()["error"]["code"] == "invalid_token"
    account = new_account(server)
    expired_token = jwt.encode(
        {"sub": account.user_id, "typ": "access", "iss": "reeldrop", "exp": int(time.time()) - 5},
        server.settings.jwt_secret,
        algorithm="HS256",
    )
    expired = httpx.get(url, headers={"Authorization": f"Bearer {expired_token}"})
    assert expired.status_code == 401
    assert "expired" in expired.json()["error"]["message"]


def test_signed_in_account_reaches_protected_routes(server: LiveServer) -> None:
    account = sign_in(server, add_user(server))
    assert account.get("/api/v1/media/user/media").status_code == 200
