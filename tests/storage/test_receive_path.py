"""The store's receive path: bodies are hashed and written in worker threads, never on the
event loop that reads every upload; bytes and SHA-1 stay exact; nothing on the path goes
through Starlette's BaseHTTPMiddleware (a task group per body read)."""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.middleware.base import BaseHTTPMiddleware

from server.b2store import spool
from tests.support.live_server import LiveServer

MIB = 1 << 20


def test_upload_bodies_are_hashed_and_written_off_the_event_loop(
    store: LiveServer, bucket: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: set[str] = set()
    absorb = spool._absorb

    def recording(out: Any, digest: Any, chunks: list[bytes]) -> None:
        threads.add(threading.current_thread().name)
        absorb(out, digest, chunks)

    monkeypatch.setattr(spool, "_absorb", recording)
    source = tmp_path / "lecture.mp4"
    source.write_bytes(os.urandom(3 * MIB + 123))
    bucket.upload_local_file(str(source), "videos/receive/lecture.mp4")
    assert threads, "the body went through the spool"
    assert all(name.startswith("b2store-write") for name in threads), threads
    out = tmp_path / "back.mp4"
    bucket.download_file_by_name("videos/receive/lecture.mp4").save_to(str(out))
    assert out.read_bytes() == source.read_bytes()


def test_the_spool_keeps_order_and_hashes_every_byte(tmp_path: Path) -> None:
    chunks = [os.urandom(n) for n in (1, 65536, 300_000, 7, spool.BATCH, 2 * spool.BATCH + 3)]

    async def run() -> str:
        with open(tmp_path / "body", "wb") as out:
            body = spool.Spool(out)
            for chunk in chunks:
                await body.add(chunk)
            return await body.finish()

    digest = asyncio.run(run())
    data = b"".join(chunks)
    assert (tmp_path / "body").read_bytes() == data
    assert digest == hashlib.sha1(data).hexdigest()


def test_no_request_passes_through_base_http_middleware(store: LiveServer) -> None:
    kinds = [m.cls for m in store.app.user_middleware]
    assert BaseHTTPMiddleware not in kinds, kinds


def test_a_part_with_its_sha1_at_the_end_counts_only_its_bytes(store: LiveServer, api: Any) -> None:
    bucket = api.get_bucket_by_name("reeldrop-media")
    started = api.session.start_large_file(bucket.id_, "videos/receive/at-end.mp4", "video/mp4", {})
    file_id = started["fileId"]
    part = api.session.get_upload_part_url(file_id)
    data = os.urandom(MIB + 17)
    sha1 = hashlib.sha1(data).hexdigest()
    answer = httpx.post(
        part["uploadUrl"],
        content=data + sha1.encode(),
        headers={
            "Authorization": part["authorizationToken"],
            "X-Bz-Part-Number": "1",
            "X-Bz-Content-Sha1": "hex_digits_at_end",
        },
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["contentSha1"] == sha1
    stats = httpx.get(
        f"{store.url}/b2store/stats",
        headers={"Authorization": api.account_info.get_account_auth_token()},
    ).json()["bytesReceived"]
    assert stats[file_id] == stats[f"{file_id}#1"] == len(data), "the 40 hex digits are not file"


def test_the_store_writes_its_records_off_the_event_loop(
    store: LiveServer, bucket: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from server.b2store import files, large_files

    threads: list[str] = []
    watched = {"upload_key": files, "store_part": large_files}
    originals = {name: getattr(module, name) for name, module in watched.items()}

    def recorded(name: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            threads.append(threading.current_thread().name)
            return originals[name](*args, **kwargs)

        return call

    for name, module in watched.items():
        monkeypatch.setattr(module, name, recorded(name))
    source = tmp_path / "parts.mp4"
    source.write_bytes(os.urandom(11 * MIB))
    bucket.upload_local_file(str(source), "videos/receive/parts.mp4", min_part_size=5 * MIB)
    assert threads, "parts went through the store's part route"
    loop_thread = [t for t in threads if t.startswith("uvicorn-")]
    assert not loop_thread, f"{len(loop_thread)} database calls ran on the event loop"


def test_opening_the_store_beside_a_running_server_keeps_uploads_in_flight(
    store: LiveServer,
) -> None:
    from server.b2store.bootstrap import storage_info

    in_flight = store.data_dir / "b2store" / "blobs" / "tmp" / "a-part-arriving"
    in_flight.write_bytes(b"x" * 1000)
    try:
        storage_info(store.data_dir, store.url)  # what `reeldrop server storage-info` does
        assert in_flight.exists(), "the temp file of an upload in flight was deleted"
    finally:
        in_flight.unlink(missing_ok=True)
