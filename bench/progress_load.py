"""``PUT /upload/progress/{sessionKey}``: reports per second the server sustains with 200
upload sessions reporting at once, and their p99 latency, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.stack import server_process

SESSIONS = 200


@dataclass(frozen=True)
class ProgressLoad:
    database: str
    per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def _sessions(url: str, email: str, password: str, count: int) -> tuple[str, list[str]]:
    with httpx.Client(base_url=url, timeout=60) as client:
        login = client.post("/api/v1/auth/login", json={"email": email, "password": password})
        login.raise_for_status()
        token = login.json()["data"]["accessToken"]
        headers = {"Authorization": f"Bearer {token}"}
        keys = []
        for n in range(count):
            answer = client.post(
                "/api/v1/media/upload/initiate",
                headers=headers,
                json={
                    "filename": f"lecture-{n}.mp4",
                    "fileSize": 500_000_000,
                    "contentType": "video/mp4",
                },
            )
            answer.raise_for_status()
            keys.append(answer.json()["data"]["sessionKey"])
    return token, keys


async def _hammer(url: str, token: str, keys: list[str], seconds: float) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=len(keys), max_keepalive_connections=len(keys))
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
        headers = {"Authorization": f"Bearer {token}"}
        deadline = time.perf_counter() + seconds

        async def session(key: str) -> None:
            nonlocal errors
            sent = 0
            while time.perf_counter() < deadline:
                sent += 1_000_000
                start = time.perf_counter()
                try:
                    answer = await client.put(
                        f"/api/v1/media/upload/progress/{key}",
                        headers=headers,
                        json={"bytesUploaded": sent, "uploadSpeedBps": 5e6},
                    )
                    ok = answer.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - start)
                errors += not ok

        await asyncio.gather(*(session(k) for k in keys))
    return latencies, errors


def progress_load(
    data_dir: Path, database: str, database_url: str | None, seconds: float
) -> ProgressLoad:
    env = {"DATABASE_URL": database_url} if database_url else {}
    with server_process(data_dir, env) as server:
        email, password = server.add_instructor()
        token, keys = _sessions(server.url, email, password, SESSIONS)
        started = time.perf_counter()
        latencies, errors = asyncio.run(_hammer(server.url, token, keys, seconds))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return ProgressLoad(
        database,
        len(latencies) / elapsed,
        statistics.median(latencies) * 1000,
        latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        errors,
    )
