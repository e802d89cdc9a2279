"""``PUT /upload/progress/{sessionKey}``: reports per second the server sustains with 200
upload sessions reporting at once, and their p99 latency, on SQLite and on PostgreSQL.

Each session is one keep-alive HTTP/1.1 connection driven by plain asyncio streams: the
load generator shares the machine's two cores with the server, and httpx's connection
pool spent 15 ms of CPU per request at 200 connections (1.5 ms at 10), so the table
measured the client, about 60 reports per second, not the server. This client spends
well under a tenth of the server's CPU per report, and the table shows both."""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from bench.stack import cpu_seconds, server_process

SESSIONS = 200
TIMEOUT = 30.0
FILE_SIZE = 500_000_000
STEP = 1_000  # bytes per report: a session stays below its file size for 500,000 reports


@dataclass(frozen=True)
class ProgressLoad:
    database: str
    per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    server_cpu_ms: float  # the server's CPU time per report
    client_cpu_ms: float  # the load generator's


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
                    "fileSize": FILE_SIZE,
                    "contentType": "video/mp4",
                },
            )
            answer.raise_for_status()
            keys.append(answer.json()["data"]["sessionKey"])
    return token, keys


class Reporter:
    """One session's connection: a report, its answer, the next report."""

    def __init__(self, url: str, token: str, key: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.head = (
            f"PUT /api/v1/media/upload/progress/{key} HTTP/1.1\r\n"
            f"Host: {parts.netloc}\r\nAuthorization: Bearer {token}\r\n"
            "Content-Type: application/json\r\n"
        )
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def report(self, sent: int) -> bool:
        """One report; whether the server accepted it. An answer this client cannot read
        to its end (no length, a broken status line) raises ValueError: the connection
        is then closed, as it is after an answer that says ``Connection: close``."""
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        body = json.dumps({"bytesUploaded": sent, "uploadSpeedBps": 5e6}).encode()
        writer.write(f"{self.head}Content-Length: {len(body)}\r\n\r\n".encode() + body)
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *lines = head[:-4].split(b"\r\n")
        version, _, rest = status_line.partition(b" ")
        if not version.startswith(b"HTTP/1.") or not rest[:3].isdigit():
            raise ValueError(f"not an HTTP/1.x answer: {status_line[:60]!r}")
        headers = {}
        for line in lines:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip().lower()
        if b"content-length" not in headers:
            raise ValueError("an answer without Content-Length")
        await reader.readexactly(int(headers[b"content-length"]))
        if headers.get(b"connection") == b"close":
            self.close()
        return rest[:3] == b"200"

    def close(self) -> None:
        """Drop the connection; the next report opens a new one."""
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


async def _hammer(url: str, token: str, keys: list[str], seconds: float) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def session(key: str) -> None:
        nonlocal errors
        reporter = Reporter(url, token, key)
        sent = 0
        while time.perf_counter() < deadline:
            sent += STEP
            start = time.perf_counter()
            try:
                ok = await asyncio.wait_for(reporter.report(sent), TIMEOUT)
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
                # OSError includes TimeoutError (wait_for's), a refused or reset connection
                ok = False
                reporter.close()  # a fresh connection for the next report
            latencies.append(time.perf_counter() - start)
            errors += not ok
        reporter.close()

    await asyncio.gather(*(session(k) for k in keys))
    return latencies, errors


def progress_load(
    data_dir: Path, database: str, database_url: str | None, seconds: float
) -> ProgressLoad:
    env = {"DATABASE_URL": database_url} if database_url else {}
    with server_process(data_dir, env) as server:
        email, password = server.add_instructor()
        token, keys = _sessions(server.url, email, password, SESSIONS)
        server_before, client_before = cpu_seconds(server.pid), time.process_time()
        started = time.perf_counter()
        latencies, errors = asyncio.run(_hammer(server.url, token, keys, seconds))
        elapsed = time.perf_counter() - started
        server_cpu = cpu_seconds(server.pid) - server_before
        client_cpu = time.process_time() - client_before
    if not latencies:
        raise RuntimeError(f"no progress report finished in {seconds:.0f} s")
    latencies.sort()
    count = len(latencies)
    return ProgressLoad(
        database,
        len(latencies) / elapsed,
        statistics.median(latencies) * 1000,
        latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        errors,
        server_cpu / count * 1000,
        client_cpu / count * 1000,
    )
