"""The progress-report benchmark measures the server: its load generator must cost far
less CPU per report than the server spends answering it (an HTTP client pool that spent
15 ms per request at 200 connections made the table report the client), and a report
the server refuses must count as an error."""

from __future__ import annotations

import asyncio
from pathlib import Path

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
