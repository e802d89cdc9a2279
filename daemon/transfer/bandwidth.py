"""One global bandwidth limit shared by every upload, changeable while uploads run."""

from __future__ import annotations

import threading
import time

from daemon.transfer.errors import TransferCancelled

SLICE_SECONDS = 0.1  # re-read the rate this often, so a new limit applies within a second


class BandwidthLimiter:
    """A token bucket holding at most half a second of traffic."""

    def __init__(self, bytes_per_second: int | None = None) -> None:
        self._lock = threading.Lock()
        self._rate: int | None = None
        self._tokens = 0.0
        self._stamp = time.monotonic()
        self.set_rate(bytes_per_second)

    @property
    def rate(self) -> int | None:
        return self._rate

    def set_rate(self, bytes_per_second: int | None) -> None:
        with self._lock:
            self._rate = bytes_per_second if bytes_per_second and bytes_per_second > 0 else None
            self._tokens = 0.0
            self._stamp = time.monotonic()

    def consume(self, n: int, cancel: threading.Event | None = None) -> None:
        remaining = float(n)
        while remaining > 0:
            if cancel is not None and cancel.is_set():
                raise TransferCancelled()
            with self._lock:
                rate = self._rate
                if rate is None:
                    return
                now = time.monotonic()
                self._tokens = min(rate * 0.5, self._tokens + (now - self._stamp) * rate)
                self._stamp = now
                take = min(remaining, self._tokens)
                self._tokens -= take
                remaining -= take
                wait = min(SLICE_SECONDS, remaining / rate) if remaining > 0 else 0.0
            if wait > 0:
                time.sleep(wait)
