"""Live progress of one upload: bytes done for the bar, speed and ETA from bytes really on
the wire over the last few seconds; saved and told to the server every two seconds.

The progress callback runs in the threads sending parts, so the server is told from a
thread of its own (the newest report wins): a slow answer never holds up a part, and the
last parts never wait for the server before the large file is finished."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Callable

from daemon.jobs.models import Job
from daemon.jobs.store import JobStore
from daemon.serverapi.api import MediaApi
from daemon.serverapi.errors import NotSignedIn, ServerRejected, ServerUnavailable
from shared.api_schemas import ProgressReport

log = logging.getLogger(__name__)
PROGRESS_EVERY = 2.0
SPEED_WINDOW = 5.0


class LatestReport:
    """Sends reports one at a time in a background thread; a report offered while one is
    on its way replaces any other still waiting (only the newest matters)."""

    def __init__(self, send: Callable[[int, float | None], None]) -> None:
        self.send = send
        self._lock = threading.Lock()
        self._waiting: tuple[int, float | None] | None = None
        self._sending = False

    def offer(self, done: int, speed: float | None) -> None:
        with self._lock:
            self._waiting = (done, speed)
            if self._sending:
                return
            self._sending = True
        threading.Thread(target=self._drain, name="progress-report", daemon=True).start()

    def _drain(self) -> None:
        while True:
            with self._lock:
                report, self._waiting = self._waiting, None
                if report is None:
                    self._sending = False
                    return
            try:
                self.send(*report)
            except Exception:  # the next report tries again; the upload goes on
                log.exception("progress report failed")


class ProgressReporter:
    def __init__(self, store: JobStore, job: Job, client: Callable[[], MediaApi | None]) -> None:
        self.store, self.job, self.client = store, job, client
        self.samples: deque[tuple[float, int]] = deque()
        self.last_report = 0.0
        self.reported_all = False
        self._lock = threading.Lock()  # called from every thread sending a part
        self.server = LatestReport(self.tell_server)

    def speed(self, now: float, wire: int) -> float | None:
        """Bytes per second on the wire over the last SPEED_WINDOW seconds."""
        self.samples.append((now, wire))
        while len(self.samples) > 2 and now - self.samples[1][0] >= SPEED_WINDOW:
            self.samples.popleft()
        first_at, first_wire = self.samples[0]
        elapsed = now - first_at
        if elapsed < 0.5:
            return None
        return max(0.0, (wire - first_wire) / elapsed)

    def __call__(self, done: int, wire: int) -> None:
        now = time.monotonic()
        speed = self.speed(now, wire)
        left = max(0, self.job.total_bytes - done)
        eta = int(left / speed + 0.5) if speed else None
        every_byte = done >= self.job.total_bytes
        # Once every byte is on its way, the parts still finishing report again and again:
        # one save and one report then, not one per call, in the threads sending parts.
        # (A part sent again after that brings ``done`` below the total: reported again.)
        with self._lock:
            at_end_again = every_byte and self.reported_all
            due = now - self.last_report >= PROGRESS_EVERY or every_byte
            if at_end_again or not due:
                self.store.set_live(self.job.id, speed, eta)
                return
            self.last_report, self.reported_all = now, every_byte
        self.store.progress(self.job.id, done, speed, eta)
        self.server.offer(done, speed)

    def tell_server(self, done: int, speed: float | None) -> None:
        client = self.client()
        if client is not None and self.job.session_key:
            # Progress is advisory; ``complete`` carries the final state.
            with contextlib.suppress(ServerUnavailable, ServerRejected, NotSignedIn):
                client.report_progress(
                    self.job.session_key,
                    ProgressReport(bytes_uploaded=done, upload_speed_bps=speed),
                )
