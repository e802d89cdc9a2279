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

from server.b2store.bootstrap import storage_info
from server.b2store.crashpoints import EXIT_CODE, VARIABLE
from tests.support.server_process import ServerProcess

PART = 1 << 20  # the tests' minimum part size (tests/conftest.py)


class Store:
    """The B2 API of a store process, spoken over plain HTTP with the master key."""

    def __init__(self, server: ServerProcess) -> None:
        info = storage_info(server.data_dir, server.url)
        answer = httpx.get(
            f"{server.url}/b2api/v3/b2_authorize_account",
            auth=(info["keyId"], info["applicationKey"]),
            timeout=60,
        )
        assert answer.status_code == 200, answer.text
        self.url, self.token = server.url, answer.json()["authorizationToken"]
        self.bucket_id, self.bucket = info["bucketId"], info["bucketName"]

    def call(self, operation: str, **body: Any) -> httpx.Response:
        return httpx.post(
            f"{self.url}/b2api/v3/{operation}",
            json=body,
            headers={"Authorization": self.token},
            timeout=60,
        )

    def start(self, name: str) -> str:
        answer = self.call(
            "b2_start_large_file", bucketId=self.bucket_id, fileName=name, contentType="b2/x-auto"
        )
        assert answer.status_code == 200, answer.text
        return str(answer.json()["fileId"])

    def part(self, file_id: str, number: int, data: bytes) -> httpx.Response:
        target = self.call("b2_get_upload_part_url", fileId=file_id).json()
        return httpx.post(
            target["uploadUrl"],
            content=data,
            headers={
                "Authorization": target["authorizationToken"],
                "X-Bz-Part-Number": str(number),
                "X-Bz-Content-Sha1": hashlib.sha1(data).hexdigest(),
            },
            timeout=60,
        )

    def upload(self, name: str, data: bytes) -> httpx.Response:
        target = self.call("b2_get_upload_url", bucketId=self.bucket_id).json()
        return httpx.post(
            target["uploadUrl"],
            content=data,
            headers={
                "Authorization": target["authorizationToken"],
                "X-Bz-File-Name": name,
                "Content-Type": "application/octet-stream",
                "X-Bz-Content-Sha1": hashlib.sha1(data).hexdigest(),
            },
            timeout=60,
        )

    def finish(self, file_id: str, parts: list[bytes]) -> httpx.Response:
        sha1s = [hashlib.sha1(p).hexdigest() for p in parts]
        return self.call("b2_finish_large_file", fileId=file_id, partSha1Array=sha1s)

    def download(self, name: str) -> httpx.Response:
        return httpx.get(f"{self.url}/file/{self.bucket}/{name}", timeout=60)

    def names(self) -> set[str]:
        answer = self.call("b2_list_file_names", bucketId=self.bucket_id, maxFileCount=1000)
        return {f["fileName"] for f in answer.json()["files"]}


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
        refused = store.finish(file_id, [first, last])
        assert refused.status_code == 400 and refused.json()["code"] == "part_sha1_mismatch"
        assert store.part(file_id, 1, first).status_code == 200
        assert store.finish(file_id, [first, last]).status_code == 200
        assert store.download("videos/crash/part.bin").content == first + last
    finally:
        again.stop()
