"""Progress of one upload, counted honestly: parts the store holds count once, bytes on the
wire drive the bandwidth limit and the speed, and the reported total never goes back."""

from __future__ import annotations

import threading
from collections.abc import Callable

from daemon.transfer.bandwidth import BandwidthLimiter
from daemon.transfer.errors import ReadStopped, TransferCancelled

ProgressCallback = Callable[[int, int], None]
"""``(bytes_done, wire_bytes)``: bytes the upload accounts for, bytes sent this run."""


class WireMeter:
    def __init__(
        self,
        limiter: BandwidthLimiter,
        cancel: threading.Event,
        on_progress: ProgressCallback,
    ) -> None:
        self.limiter, self.cancel, self.on_progress = limiter, cancel, on_progress
        self.abort = threading.Event()  # another part failed: stop this run's reads
        self._lock = threading.Lock()
        self.stored = 0
        self.in_flight: dict[int, int] = {}
        self.wire = 0
        self.best = 0

    def check(self) -> None:
        if self.cancel.is_set() or self.abort.is_set():
            raise ReadStopped(TransferCancelled())

    def check_plain(self) -> None:
        """Like ``check`` outside b2sdk's HTTP layer."""
        if self.cancel.is_set() or self.abort.is_set():
            raise TransferCancelled()

    def already_stored(self, length: int) -> None:
        """A part the store holds from an earlier run: counted once, never charged."""
        with self._lock:
            self.stored += length
        self._report()

    def charge(self, part: int, n: int) -> None:
        """``n`` bytes of ``part`` are about to go on the wire: wait for the limit first."""
        self.check()
        try:
            self.limiter.consume(n, self.cancel)
        except TransferCancelled as exc:
            raise ReadStopped(exc) from None
        with self._lock:
            self.in_flight[part] = self.in_flight.get(part, 0) + n
            self.wire += n
        self._report()

    def restart_part(self, part: int) -> None:
        """The HTTP layer rewinds a part to send it again: its bytes no longer count."""
        with self._lock:
            self.in_flight[part] = 0

    def part_stored(self, part: int, length: int) -> None:
        with self._lock:
            self.in_flight.pop(part, None)
            self.stored += length
        self._report()

    def _report(self) -> None:
        with self._lock:
            done = self.stored + sum(self.in_flight.values())
            self.best = max(self.best, done)
            best, wire = self.best, self.wire
        self.on_progress(best, wire)
