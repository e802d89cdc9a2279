"""Many signed-in requests at once are all answered: a request does not hold a database
connection while it waits for a worker thread (that stalled the server until its pool timed
out, with 200 uploads reporting progress at once)."""

from __future__ import annotations

import asyncio

import httpx

from tests.support.api import new_account
from tests.support.live_server import LiveServer

AT_ONCE = 160  # well above the request thread pool (40) and the connection pool


def test_160_concurrent_signed_in_requests_are_all_answered(server: LiveServer) -> None:
    account = new_account(server)

    async def burst() -> list[int]:
        limits = httpx.Limits(max_connections=AT_ONCE, max_keepalive_connections=AT_ONCE)
        async with httpx.AsyncClient(
            base_url=server.url,
            timeout=120,
            limits=limits,
            headers={"Authorization": f"Bearer {account.token}"},
        ) as client:
            answers = await asyncio.gather(*(client.get("/api/v1/auth/me") for _ in range(AT_ONCE)))
        return [a.status_code for a in answers]

    statuses = asyncio.run(burst())
    assert statuses == [200] * AT_ONCE, sorted(set(statuses))
