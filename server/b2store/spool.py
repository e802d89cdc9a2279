"""An upload body onto disk off the event loop: chunks are gathered into 1 MiB batches and
each batch is hashed and written in a worker thread (both release the GIL), while the loop
goes on reading the next batch and serving the other uploads. One batch per upload is in
the thread at a time, so the SHA-1 sees the bytes in order and memory stays at two batches."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from concurrent.futures import Future, ThreadPoolExecutor
from typing import BinaryIO

BATCH = 1 << 20
# Its own threads: a long disk write never waits behind (or holds up) a request handler.
WRITERS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="b2store-write")


def _absorb(out: BinaryIO, digest: hashlib._Hash, chunks: list[bytes]) -> None:
    for chunk in chunks:
        digest.update(chunk)
        out.write(chunk)


class Spool:
    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.digest = hashlib.sha1()
        self._batch: list[bytes] = []
        self._batched = 0
        self._pending: Future[None] | None = None

    async def add(self, chunk: bytes) -> None:
        self._batch.append(chunk)
        self._batched += len(chunk)
        if self._batched >= BATCH:
            await self._flush()

    async def _flush(self) -> None:
        if self._pending is not None:
            await asyncio.wrap_future(self._pending)
        batch, self._batch, self._batched = self._batch, [], 0
        self._pending = WRITERS.submit(_absorb, self.out, self.digest, batch)

    async def finish(self) -> str:
        """Everything written; the SHA-1 of it all."""
        if self._batch:
            await self._flush()
        if self._pending is not None:
            await asyncio.wrap_future(self._pending)
            self._pending = None
        return self.digest.hexdigest()

    def settle(self) -> None:
        """After a failure: wait for the thread to let go of the file before it is closed."""
        if self._pending is not None:
            with contextlib.suppress(Exception):
                self._pending.result()
            self._pending = None
