"""Bytes received per upload target, so an operator (or a test) can see what was re-sent."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import AsyncIterator

from server.metrics import STORE_BYTES_RECEIVED


class UploadStats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._bytes: dict[str, int] = defaultdict(int)
        self._total = 0

    async def counting(
        self, stream: AsyncIterator[bytes], *targets: str, payload: int | None = None
    ) -> AsyncIterator[bytes]:
        """Count as the body streams in: ``targets`` are e.g. a large file and its part.

        Only the file's bytes count: the first ``payload`` bytes of the body (a body sent
        with ``hex_digits_at_end`` ends with 40 more, its SHA-1)."""
        left = payload
        async for chunk in stream:
            n = len(chunk) if left is None else min(len(chunk), left)
            if left is not None:
                left -= n
            STORE_BYTES_RECEIVED.inc(n)
            with self._lock:
                for target in targets:
                    self._bytes[target] += n
                self._total += n
            yield chunk

    def snapshot(self) -> dict[str, object]:
        with self._lock:
            return {"totalBytesReceived": self._total, "bytesReceived": dict(self._bytes)}
