"""The transfer reads a file once: each part is hashed while it is sent (B2's
``hex_digits_at_end``), not read a first time for its SHA-1 and again to send it. The
server runs in its own process, so this process's /proc/self/io counts only the uploader."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from daemon.transfer.bandwidth import BandwidthLimiter
from daemon.transfer.target import UploadTarget
from daemon.transfer.uploader import B2Uploader
from tests.support.api import PASSWORD
from tests.support.b2 import initiate_body, target_of
from tests.support.server_process import ServerProcess

MIB = 1 << 20


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path_factory.mktemp("reads")).start()
    try:
        yield process
    finally:
        process.stop()


def rchar() -> int:
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar in /proc/self/io")


def target_for(server: ServerProcess, email: str, path: Path, sha1: str) -> UploadTarget:
    login = httpx.post(
        f"{server.url}/api/v1/auth/login", json={"email": email, "password": PASSWORD}
    )
    token = login.json()["data"]["accessToken"]
    answer = httpx.post(
        f"{server.url}/api/v1/media/upload/initiate",
        headers={"Authorization": f"Bearer {token}"},
        json=initiate_body(path, sha1),
    )
    return target_of(answer.json()["data"])


def upload(server: ServerProcess, email: str, path: Path, sha1: str) -> None:
    target = target_for(server, email, path, sha1)
    assert path.stat().st_size > 2 * target.part_size, "a large file of several parts"
    B2Uploader(BandwidthLimiter()).upload(
        path,
        target,
        content_type="video/mp4",
        content_sha1=sha1,
        resume_large_file_id=None,
        on_large_file_started=lambda _id: None,
        on_progress=lambda _done, _wire: None,
        refresh_target=lambda: target,
        cancel=threading.Event(),
    )


def test_a_large_file_is_read_once_while_it_is_sent(server: ServerProcess, tmp_path: Path) -> None:
    email = server.add_user()
    warm_up = tmp_path / "warm-up.mp4"
    data = os.urandom(16 * MIB)
    warm_up.write_bytes(data)
    upload(server, email, warm_up, hashlib.sha1(data).hexdigest())  # modules loaded
    path = tmp_path / "lecture.mp4"
    data = os.urandom(24 * MIB + 5)
    path.write_bytes(data)
    sha1 = hashlib.sha1(data).hexdigest()
    before = rchar()
    upload(server, email, path, sha1)
    read = rchar() - before
    assert read < 1.1 * path.stat().st_size, f"read {read / path.stat().st_size:.2f}x the file"
