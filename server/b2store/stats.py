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

    async def counting(self, stream: AsyncIterator[bytes], *targets: str) -> AsyncIterator[bytes]:
        """Count as the body streams in: ``targets`` are e.g. a large file and its part."""
        async for chunk in stream:
            STORE_BYTES_RECEIVED.inc(len(chunk))
            with self._lock:
                for target in targets:
                    self._bytes[target] += len(chunk)
                self._total += len(chunk)
            yield chunk

    def snapshot(self) -> dict[str, object]:
        with self._lock:
            return {"totalBytesReceived": self._total, "bytesReceived": dict(self._bytes)}
