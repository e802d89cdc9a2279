"""The store killed between the writes of an operation loses nothing and serves nothing wrong.

Each test runs the real server as its own process with ``REELDROP_B2STORE_CRASH_AT`` naming
the point where it dies, then starts it again on the same data directory.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.b2store.crashpoints import EXIT_CODE, VARIABLE
from tests.support.server_process import ServerProcess
from tests.support.store_http import Store

PART = 1 << 20  # the tests' minimum part size (tests/conftest.py)


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "server"


def blobs(data_dir: Path) -> Path:
    return data_dir / "b2store" / "blobs"


def crashing(data_dir: Path, point: str) -> ServerProcess:
    return ServerProcess(data_dir, {VARIABLE: point}).start()


def restarted(data_dir: Path) -> ServerProcess:
    return ServerProcess(data_dir, {VARIABLE: ""}).start()


def dies(server: ServerProcess, action: Any) -> None:
    with pytest.raises(httpx.HTTPError):
        action()
    assert server.wait_exit() == EXIT_CODE, server.tail()


def killed_while_finishing(data_dir: Path, point: str, name: str, parts: list[bytes]) -> str:
    """Store every part of ``videos/crash/{name}.bin``, then die at ``point`` while
    finishing it; the large file's id."""
    server = crashing(data_dir, point)
    store = Store(server)
    file_id = store.start(f"videos/crash/{name}.bin")
    for number, data in enumerate(parts, start=1):
        assert store.part(file_id, number, data).status_code == 200
    dies(server, lambda: store.finish(file_id, parts))
    return file_id


def test_killed_after_assembling_the_large_file_can_finish_it_again(data_dir: Path) -> None:
    parts = [os.urandom(PART), os.urandom(1000)]
    file_id = killed_while_finishing(data_dir, "finish_large_file:assembled", "assembled", parts)
    again = restarted(data_dir)
    try:
        store = Store(again)
        assert "videos/crash/assembled.bin" not in store.names()
        finished = store.finish(file_id, parts)
        assert finished.status_code == 200, finished.text
        assert store.download("videos/crash/assembled.bin").content == b"".join(parts)
    finally:
        again.stop()


def test_killed_after_the_commit_serves_the_finished_file(data_dir: Path) -> None:
    parts = [os.urandom(PART), os.urandom(2000)]
    file_id = killed_while_finishing(data_dir, "finish_large_file:committed", "committed", parts)
    again = restarted(data_dir)
    try:
        store = Store(again)
        assert store.download("videos/crash/committed.bin").content == b"".join(parts)
        assert not (blobs(data_dir) / "parts" / file_id).exists(), "left-over parts swept"
    finally:
        again.stop()


def test_killed_after_keeping_an_upload_lists_nothing_and_takes_it_again(data_dir: Path) -> None:
    data = os.urandom(5000)
    server = crashing(data_dir, "upload_file:kept")
    store = Store(server)
    dies(server, lambda: store.upload("videos/crash/small.bin", data))
    again = restarted(data_dir)
    try:
        store = Store(again)
        assert "videos/crash/small.bin" not in store.names()
        assert not any((blobs(data_dir) / "files").iterdir()), "bytes without a row swept"
        assert store.download("videos/crash/small.bin").status_code == 404
        assert store.upload("videos/crash/small.bin", data).status_code == 200
        assert store.download("videos/crash/small.bin").content == data
    finally:
        again.stop()


def test_a_part_rewritten_by_a_killed_upload_is_never_assembled(data_dir: Path) -> None:
    first, last, rewrite = os.urandom(PART), os.urandom(3000), os.urandom(PART)
    server = crashing(data_dir, "upload_part:kept")
    store = Store(server)
    file_id = store.start("videos/crash/part.bin")
    server.stop()
    server = restarted(data_dir)
    store = Store(server)
    assert store.part(file_id, 1, first).status_code == 200
    assert store.part(file_id, 2, last).status_code == 200
    server.stop()
    server = crashing(data_dir, "upload_part:kept")
    store = Store(server)
    dies(server, lambda: store.part(file_id, 1, rewrite))  # bytes kept, row not written
    again = restarted(data_dir)
    try:
        store = Store(again)
        listed = store.call("b2_list_parts", fileId=file_id).json()["parts"]
        assert listed[0]["contentSha1"] == hashlib.sha1(first).hexdigest()
        assert store.finish(file_id, [first, last]).status_code == 200
        assert store.download("videos/crash/part.bin").content == first + last
    finally:
        again.stop()
