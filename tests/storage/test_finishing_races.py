"""Finishing a large file while someone cancels it, starts its name again, sends a part
again or finishes it too: each gets a clear answer, and the finish is whole."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from server.b2store.blobs import BlobDir
from tests.support.live_server import LiveServer
from tests.support.store_http import Store

PART = 1 << 20  # the tests' minimum part size (tests/conftest.py)


def test_steps_that_collide_with_a_finish_are_refused_until_it_is_done(
    store: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = Store(store).with_key(
        namePrefix="races/", maxFileBytes=8 * PART, maxTotalBytes=16 * PART, quotaGroup="races"
    )
    name = "races/lecture.mp4"
    parts = [os.urandom(PART), os.urandom(PART // 2)]
    file_id = session.start(name)
    for number, data in enumerate(parts, start=1):
        assert session.part(file_id, number, data).status_code == 200

    assembling, release = threading.Event(), threading.Event()
    assemble = BlobDir.assemble

    def held_assemble(self: BlobDir, *args: Any) -> None:
        assembling.set()
        release.wait(timeout=60)
        assemble(self, *args)

    monkeypatch.setattr(BlobDir, "assemble", held_assemble)
    with ThreadPoolExecutor(1) as pool:
        finish = pool.submit(session.finish, file_id, parts)
        assert assembling.wait(timeout=60)
        colliding = {
            "cancel": session.call("b2_cancel_large_file", fileId=file_id),
            "second finish": session.finish(file_id, parts),
            "start again": session.call(
                "b2_start_large_file",
                bucketId=session.bucket_id,
                fileName=name,
                contentType="video/mp4",
            ),
            "part again": session.part(file_id, 2, parts[1]),
        }
        release.set()
        finished = finish.result(timeout=60)

    for step, answer in colliding.items():
        assert answer.status_code == 400, (step, answer.text)
        assert "being finished" in answer.json()["message"], step
    assert finished.status_code == 200, finished.text
    assert session.download(name).content == b"".join(parts)
    stored = {path.name for path in (store.data_dir / "b2store" / "blobs" / "files").iterdir()}
    assert finished.json()["fileId"] in stored
    assert httpx.get(f"{store.url}/healthz", timeout=10).status_code == 200
