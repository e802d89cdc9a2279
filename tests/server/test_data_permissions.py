"""The server's data directory and database files are private to their owner."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.support.api import new_account
from tests.support.live_server import live_server


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_data_directory_is_0700_and_database_files_0600(tmp_path: Path) -> None:
    data = tmp_path / "fresh" / "data"
    previous = os.umask(0o022)
    try:
        with live_server(data) as server:
            new_account(server)  # something worth protecting is written
            files = [data / "server.sqlite", data / "jwt-secret", data / "b2store" / "store.sqlite"]
            files += [p for p in data.rglob("*.sqlite-*")]
            for path in files:
                assert path.exists(), path
                assert mode(path) == 0o600, (path, oct(mode(path)))
            assert mode(data) == 0o700
            assert mode(data / "b2store") == 0o700
    finally:
        os.umask(previous)
