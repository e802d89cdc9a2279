"""A live embedded store (served by the real media server) and b2sdk clients for it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from b2sdk.v2 import B2Api, InMemoryAccountInfo

from server.b2store.bootstrap import storage_info
from tests.support.live_server import LiveServer, live_server


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("store")) as live:
        yield live


def master_api(live: LiveServer) -> B2Api:
    info = storage_info(live.data_dir, live.url)
    api = B2Api(InMemoryAccountInfo())
    api.authorize_account(info["realmUrl"], info["keyId"], info["applicationKey"])
    return api


@pytest.fixture
def api(store: LiveServer) -> B2Api:
    return master_api(store)


@pytest.fixture
def bucket(api: B2Api) -> Any:
    return api.get_bucket_by_name("reeldrop-media")


def bytes_received(live: LiveServer, api: B2Api) -> int:
    answer = httpx.get(
        f"{live.url}/b2store/stats",
        headers={"Authorization": api.account_info.get_account_auth_token()},
    )
    return int(answer.json()["totalBytesReceived"])


def random_file(path: Path, size: int) -> Path:
    import os

    path.write_bytes(os.urandom(size))
    return path
