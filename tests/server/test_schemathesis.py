"""Property-based fuzzing of every documented endpoint: no input makes the server fail (5xx)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.support.api import new_account
from tests.support.live_server import LiveServer, live_server


@pytest.fixture(scope="module")
def fuzzed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("fuzz")) as live:
        yield live


@pytest.fixture(scope="module")
def auth_headers(fuzzed_server: LiveServer) -> dict[str, str]:
    return {"Authorization": f"Bearer {new_account(fuzzed_server).token}"}


def test_no_input_makes_the_server_fail(
    fuzzed_server: LiveServer, auth_headers: dict[str, str]
) -> None:
    schema = schemathesis.openapi.from_url(f"{fuzzed_server.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=20, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def exercise(case: Any) -> None:
            response = case.call(base_url=fuzzed_server.url, headers=auth_headers)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")
            elif response.status_code >= 400:
                body = response.json()
                assert body["success"] is False and body["error"]["message"], response.text

        exercise()
    assert not failures, "\n".join(sorted(set(failures)))
