"""Access tokens end with their sign-in: sign-out and refresh-token reuse."""

from __future__ import annotations

import httpx

from tests.support.api import add_user, sign_in
from tests.support.live_server import LiveServer


def me(server: LiveServer, access_token: str) -> int:
    answer = httpx.get(
        f"{server.url}/api/v1/auth/me",
        headers={"Authorization": f"Bearer {access_token}"},
        timeout=60,
    )
    return answer.status_code


def test_sign_out_ends_the_access_token_of_that_sign_in_only(server: LiveServer) -> None:
    email = add_user(server)
    laptop, phone = sign_in(server, email), sign_in(server, email)
    assert me(server, laptop.token) == 200
    out = laptop.post("/api/v1/auth/logout", json={"refreshToken": laptop.refresh_token})
    assert out.status_code == 200 and out.json()["data"]["revoked"] is True
    assert me(server, laptop.token) == 401
    assert me(server, phone.token) == 200


def test_refresh_token_reuse_ends_every_access_token_of_the_sign_in(server: LiveServer) -> None:
    account = sign_in(server, add_user(server))
    rotated = httpx.post(
        f"{server.url}/api/v1/auth/refresh", json={"refreshToken": account.refresh_token}
    )
    assert rotated.status_code == 200
    newer_access = rotated.json()["data"]["accessToken"]
    assert me(server, newer_access) == 200
    replayed = httpx.post(
        f"{server.url}/api/v1/auth/refresh", json={"refreshToken": account.refresh_token}
    )
    assert replayed.status_code == 401
    assert me(server, newer_access) == 401
    assert me(server, account.token) == 401
