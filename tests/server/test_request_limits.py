"""Bodies: authorization before reading, capped JSON, deep nesting, never a 500."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import httpx
import pytest

from tests.support.api import new_account
from tests.support.live_server import LiveServer

HUGE = 300 * 1000 * 1000
DEEP = b"[" * 50_000 + b"]" * 50_000


def answer_before_body(server: LiveServer, path: str, headers: dict[str, str]) -> int:
    """Announce a 300 MB body, send 10 bytes of it, and read the status line.

    A server that reads the body before deciding would wait for the other 299 MB; the
    socket's timeout turns that into a failure instead of a hang.
    """
    parts = urlsplit(server.url)
    lines = [f"POST {path} HTTP/1.1", f"Host: {parts.netloc}", f"Content-Length: {HUGE}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    with socket.create_connection((parts.hostname, parts.port), timeout=60) as conn:
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + b'{"a": "bbbb')
        status_line = conn.makefile("rb").readline().decode()
    assert status_line.startswith("HTTP/1.1 "), status_line
    return int(status_line.split()[1])


@pytest.mark.parametrize(
    "path", ["/api/v1/media/upload/initiate", "/api/v1/auth/logout", "/b2api/v3/b2_list_buckets"]
)
def test_unauthenticated_huge_body_is_refused_before_it_is_read(
    sqlite_server: LiveServer, path: str
) -> None:
    assert answer_before_body(sqlite_server, path, {"Content-Type": "application/json"}) == 401
    forged = {"Authorization": "Bearer not-a-token", "Content-Type": "application/json"}
    assert answer_before_body(sqlite_server, path, forged) == 401


def test_signed_in_huge_body_is_refused_before_it_is_read(sqlite_server: LiveServer) -> None:
    account = new_account(sqlite_server)
    headers = {"Authorization": f"Bearer {account.token}", "Content-Type": "application/json"}
    assert answer_before_body(sqlite_server, "/api/v1/media/upload/initiate", headers) == 413
    assert answer_before_body(sqlite_server, "/api/v1/auth/login", headers) == 413


def test_store_huge_body_with_a_token_is_refused_before_it_is_read(
    sqlite_server: LiveServer,
) -> None:
    token = master_token(sqlite_server)
    status = answer_before_body(
        sqlite_server, "/b2api/v3/b2_list_buckets", {"Authorization": token}
    )
    assert status == 413


def master_token(server: LiveServer) -> str:
    from server.b2store.models import Key

    ctx = server.app.state.b2store
    with ctx.factory() as db:
        master = db.query(Key).filter(Key.is_master.is_(True)).one()
    return str(ctx.signer.mint("account", master.key_id, "", 600))


def test_chunked_body_over_the_cap_is_413(sqlite_server: LiveServer) -> None:
    account = new_account(sqlite_server)

    def chunks() -> object:
        for _ in range(40):
            yield b" " * 65536

    answer = account.post(
        "/api/v1/media/upload/initiate",
        content=chunks(),  # type: ignore[arg-type]
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 413, answer.text
    assert answer.json()["error"]["code"] == "body_too_large"


def test_deeply_nested_json_is_400_not_500(sqlite_server: LiveServer) -> None:
    account = new_account(sqlite_server)
    for path in ("/api/v1/media/upload/initiate", "/api/v1/auth/login"):
        answer = account.post(path, content=DEEP, headers={"Content-Type": "application/json"})
        assert answer.status_code == 400, (path, answer.text)
        assert answer.json()["success"] is False
    stored = httpx.post(
        f"{sqlite_server.url}/b2api/v3/b2_list_file_names",
        content=DEEP,
        headers={"Authorization": master_token(sqlite_server)},
        timeout=60,
    )
    assert stored.status_code == 400, stored.text
    assert stored.json()["code"] == "bad_json"
