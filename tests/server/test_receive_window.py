"""A request body is read ahead only once its handler has accepted it: before that, a
connection may not make the server hold more than uvicorn's 64 KiB of it; after, the
store reads an upload without stopping the connection at every read."""

from __future__ import annotations

import asyncio
import hashlib
import os
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from uvicorn.protocols.http.flow_control import FlowControl

from server.receive_window import BodyChunks, widen
from tests.server.flows import initiate
from tests.support.api import new_account
from tests.support.b2 import scoped_bucket
from tests.support.live_server import LiveServer, serve_app
from tests.support.ports import free_port

BODY = os.urandom(2 * 1024 * 1024)
BODY_SHA1 = hashlib.sha1(BODY).hexdigest()


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each time the server stops reading a connection because its body waits unread."""
    paused: list[int] = []
    pause = FlowControl.pause_reading

    def counted(self: FlowControl) -> None:
        paused.append(1)
        pause(self)

    monkeypatch.setattr(FlowControl, "pause_reading", counted)
    return paused


@pytest.fixture
def slow_reader() -> Iterator[str]:
    """An application that reads bodies slowly, widening the window only where asked."""
    app = FastAPI()

    async def drain(request: Request) -> dict[str, Any]:
        digest = hashlib.sha1()
        async for chunk in request.stream():
            digest.update(chunk)
            await asyncio.sleep(0.005)
        return {"sha1": digest.hexdigest()}

    @app.post("/unchecked")
    async def unchecked(request: Request) -> dict[str, Any]:
        return await drain(request)

    @app.post("/accepted")
    async def accepted(request: Request) -> dict[str, Any]:
        widen(request.scope)
        return await drain(request)

    port = free_port()
    with serve_app(app, port):
        yield f"http://127.0.0.1:{port}"


def test_a_body_is_read_ahead_only_after_its_handler_accepted_it(
    slow_reader: str, pauses: list[int]
) -> None:
    answer = httpx.post(f"{slow_reader}/unchecked", content=BODY, timeout=30)
    assert answer.json() == {"sha1": BODY_SHA1}
    # 2 MiB read by a slow handler: paused at about every read (8-9 in all here).
    assert len(pauses) >= 4, f"a body nobody accepted paused only {len(pauses)} times"
    pauses.clear()
    # Many reads wait for the slow handler at once: they reach it whole and in order.
    answer = httpx.post(f"{slow_reader}/accepted", content=BODY, timeout=30)
    assert answer.json() == {"sha1": BODY_SHA1}
    # Once, at most: the first read may come before the handler has run to accept it.
    assert len(pauses) <= 1, f"an accepted body was still paused {len(pauses)} times"


def test_the_store_reads_an_accepted_upload_ahead(
    server: LiveServer, videos: dict[str, Path], pauses: list[int]
) -> None:
    data = initiate(new_account(server), videos["mp4"])
    bucket = scoped_bucket(data["b2"])
    name = data["storageKey"].rpartition("/")[0] + "/lecture-notes.bin"
    uploads = 3
    for _ in range(uploads):
        stored = bucket.upload_bytes(BODY, name)
        assert stored.size == len(BODY)
    # Before the store has checked an upload, its connection pauses as any other (once
    # or twice); read at uvicorn's 64 KiB, a 2 MiB body paused about ten times.
    assert len(pauses) <= 2 * uploads, f"the store stopped reading {len(pauses)} times"


def test_a_body_of_tiny_pieces_is_held_at_about_its_size() -> None:
    """A chunked body can reach the server as one piece per HTTP chunk, a few bytes each,
    before anyone has authorized it: the window counts bytes, so what waits must cost
    about its bytes in memory, not an object per piece."""
    pieces = [os.urandom(2) for _ in range(32 * 1024)]  # 64 KiB, uvicorn's own window
    tracemalloc.start()
    try:
        waiting = BodyChunks()
        for piece in pieces:
            waiting.append(piece)
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(waiting) == 64 * 1024
    assert held < 2 * 64 * 1024, f"64 KiB of 2-byte pieces held in {held} bytes"
    assert bytes(waiting) == b"".join(pieces)


def test_a_chunked_body_of_tiny_pieces_arrives_whole(slow_reader: str) -> None:
    pieces = [BODY[i : i + 3] for i in range(0, 96 * 1024, 3)] + [BODY[96 * 1024 :]]
    answer = httpx.post(f"{slow_reader}/unchecked", content=iter(pieces), timeout=30)
    assert answer.json() == {"sha1": BODY_SHA1}
