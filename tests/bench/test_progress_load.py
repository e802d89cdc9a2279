"""The progress-report benchmark measures the server: its load generator must cost far
less CPU per report than the server spends answering it (an HTTP client pool that spent
15 ms per request at 200 connections made the table report the client), and a report
the server refuses must count as an error."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bench.progress_load import Reporter, _hammer, _sessions, progress_load
from bench.stack import server_process


def test_the_load_generator_costs_a_fraction_of_the_servers_work(tmp_path: Path) -> None:
    result = progress_load(tmp_path / "server", "SQLite", None, 2.0)
    assert result.errors == 0
    assert result.per_second > 0
    assert result.client_cpu_ms * 5 < result.server_cpu_ms, result


def test_refused_and_accepted_reports_are_told_apart(tmp_path: Path) -> None:
    with server_process(tmp_path / "server", {}) as server:
        email, password = server.add_instructor()
        token, keys = _sessions(server.url, email, password, 1)

        async def one(key: str) -> bool:
            reporter = Reporter(server.url, token, key)
            try:
                return await reporter.report(1_000)
            finally:
                reporter.close()

        assert asyncio.run(one(keys[0])) is True
        assert asyncio.run(one("not-a-session-of-this-user")) is False
        latencies, errors = asyncio.run(_hammer(server.url, token, ["no-such-session"], 0.3))
        assert latencies and errors == len(latencies)


CHUNKED = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
CLOSING = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"


@pytest.mark.parametrize(("answer", "all_errors"), [(CHUNKED, True), (CLOSING, False)])
def test_each_answer_is_read_to_its_end_or_counted_as_an_error(
    answer: bytes, all_errors: bool
) -> None:
    """An answer without a length cannot be told from the next one: an error, never a
    misread; an answer that closes its connection is a success, and the next report
    opens another (a server that closes after an error must not cost two errors)."""

    async def run() -> tuple[list[float], int]:
        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(answer)
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            return await _hammer(f"http://127.0.0.1:{port}", "token", ["key"], 0.3)

    latencies, errors = asyncio.run(run())
    assert len(latencies) > 3
    assert errors == (len(latencies) if all_errors else 0)
