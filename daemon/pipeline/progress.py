"""Live progress of one upload: bytes done for the bar, speed and ETA from bytes really on
the wire over the last few seconds; saved and told to the server every two seconds."""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque
from collections.abc import Callable

from daemon.jobs.models import Job
from daemon.jobs.store import JobStore
from daemon.serverapi.api import MediaApi
from daemon.serverapi.errors import NotSignedIn, ServerRejected, ServerUnavailable
from shared.api_schemas import ProgressReport

PROGRESS_EVERY = 2.0
SPEED_WINDOW = 5.0


class ProgressReporter:
    def __init__(
        self, store: JobStore, job: Job, client: Callable[[], MediaApi | None]
    ) -> None:
        self.store, self.job, self.client = store, job, client
        self.samples: deque[tuple[float, int]] = deque()
        self.last_report = 0.0
        self.reported_all = False
        self._lock = threading.Lock()  # called from every thread sending a part

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
        client = self.client()
        if client is not None and self.job.session_key:
            # Progress is advisory; ``complete`` carries the final state.
            with contextlib.suppress(ServerUnavailable, ServerRejected, NotSignedIn):
                client.report_progress(
                    self.job.session_key,
                    ProgressReport(bytes_uploaded=done, upload_speed_bps=speed),
                )
