"""The sign-in throttle under parallel attack, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.support.api import PASSWORD, add_user
from tests.support.live_server import LiveServer
from tests.support.server_process import ServerProcess

PARALLEL = 15


def login_from(server: LiveServer, address: str, email: str, password: str) -> httpx.Response:
    """Sign in from a given loopback address (the server sees it as the client's address)."""
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(transport=transport, timeout=120) as client:
        return client.post(
            f"{server.url}/api/v1/auth/login", json={"email": email, "password": password}
        )


def test_parallel_wrong_passwords_get_exactly_five_checks(server: LiveServer) -> None:
    email = add_user(server)
    start = threading.Barrier(PARALLEL)

    def guess(n: int) -> int:
        start.wait(timeout=60)
        return login_from(server, "127.0.0.1", email, f"guess-{n}").status_code

    with ThreadPoolExecutor(PARALLEL) as pool:
        statuses = sorted(pool.map(guess, range(PARALLEL)))
    assert statuses == [401] * 5 + [429] * (PARALLEL - 5)


def test_an_attacker_cannot_lock_the_owner_out(server: LiveServer) -> None:
    email = add_user(server)
    for n in range(PARALLEL):
        login_from(server, "127.0.0.3", email, f"guess-{n}")
    attacker = login_from(server, "127.0.0.3", email, PASSWORD)
    assert attacker.status_code == 429
    assert int(attacker.headers["Retry-After"]) > 0
    owner = login_from(server, "127.0.0.4", email, PASSWORD)
    assert owner.status_code == 200, owner.text


def wrong_logins_through_made_up_proxies(server: ServerProcess, email: str) -> list[int]:
    """What a local client gets when it claims a new client address for every guess."""
    return [
        httpx.post(
            f"{server.url}/api/v1/auth/login",
            json={"email": email, "password": f"guess-{n}"},
            headers={"X-Forwarded-For": f"203.0.113.{n}"},
            timeout=60,
        ).status_code
        for n in range(1, 8)
    ]


def test_forwarded_addresses_are_believed_only_from_trusted_proxies(tmp_path: Path) -> None:
    plain = ServerProcess(tmp_path / "plain").start()
    behind_proxy = ServerProcess(
        tmp_path / "proxied", env={"REELDROP_TRUSTED_PROXIES": "127.0.0.1"}
    ).start()
    try:
        spoofed = wrong_logins_through_made_up_proxies(plain, plain.add_user())
        forwarded = wrong_logins_through_made_up_proxies(behind_proxy, behind_proxy.add_user())
    finally:
        plain.stop()
        behind_proxy.stop()
    assert spoofed == [401] * 5 + [429] * 2  # one address: the one that connected
    assert forwarded == [401] * 7  # seven clients behind the operator's proxy
