"""The scheduler: starts jobs up to the concurrency limit and drains the outbox.

It sleeps until something is due: woken at once by every change that can make work due
(a job added, resumed or retried, a job's thread ending, a sign-in, a setting), and by
the clock when a waiting job or server call reaches its next attempt. An idle daemon
then does not wake at all, where a fixed tick would look at the database twice a second
all day (a laptop's battery pays for every wake-up)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from daemon.core.errors import JobNotFound
from daemon.jobs.models import OutboxEntry, utcnow
from daemon.jobs.states import IllegalTransition, JobState, MovedOn
from daemon.jobs.store import JobStore, due
from daemon.outbox import Outbox, enqueue
from daemon.pipeline.stages import Stages
from daemon.serverapi.api import MediaApi
from daemon.serverapi.errors import NotSignedIn
from shared.api_schemas import CompleteRequest

log = logging.getLogger(__name__)
S = JobState
RUNNABLE = (S.QUEUED, S.PROBING, S.INITIATING, S.UPLOADING)
RESUME_ORDER = {S.UPLOADING: 0, S.INITIATING: 1, S.PROBING: 2, S.QUEUED: 3}
LONGEST_SLEEP = 300.0  # a look without a reason, at most this far apart
AFTER_FAILED_LOOK = 5.0
FIRST_HOLD = 5.0  # a job that failed unexpectedly waits this long, doubling, before again
STOP_WAIT_SECONDS = 3.0  # for the scheduler's look to end when the daemon stops


class JobRunner:
    def __init__(
        self,
        store: JobStore,
        stages: Stages,
        outbox: Outbox,
        client: Callable[[], MediaApi | None],
        concurrency: int,
    ) -> None:
        self.store, self.stages, self.outbox, self.client = store, stages, outbox, client
        self.concurrency = max(1, concurrency)
        self.running: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._held: dict[str, tuple[float, float]] = {}  # job id: (monotonic end, length)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="job-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        with self._lock:
            for cancel in self.running.values():
                cancel.set()
        if self._thread:  # a look stuck in a server call is left (its call is kept)
            self._thread.join(timeout=STOP_WAIT_SECONDS)

    def wake(self) -> None:
        self._wake.set()

    def interrupt(self, job_id: str) -> None:
        with self._lock:
            cancel = self.running.get(job_id)
        if cancel is not None:
            cancel.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()  # before the look: a wake during it means look again
            now = utcnow()  # one clock per look: what was not due at ``now`` lies ahead
            try:
                delivered = self.deliver_outbox(now)
                jobs_ahead = self.launch_due_jobs(now)
                sleep = min(jobs_ahead, self.seconds_until(self.outbox.next_attempts(), now))
                if delivered:  # a delivery may queue the next call (``process``): look again
                    sleep = 0.0
            except Exception:
                log.exception("scheduler look failed")
                sleep = AFTER_FAILED_LOOK
            self._wake.wait(sleep)

    @staticmethod
    def seconds_until(attempts: Iterable[datetime | None], now: datetime) -> float:
        """Seconds to the earliest attempt after ``now``, the start of the look (LONGEST_SLEEP
        if none). What the look itself made due (``process`` queued once ``complete`` is
        delivered) lies after ``now``: the next look comes at once. An attempt due at ``now``
        that the look did not start waits for a wake: it is held by the concurrency limit
        or the sign-in, whose ends wake the scheduler."""
        end_of_look = utcnow()
        ahead = [
            max(0.0, (at - end_of_look).total_seconds())
            for at in attempts
            if at is not None and at > now
        ]
        return min([LONGEST_SLEEP, *ahead])

    def launch_due_jobs(self, now: datetime | None = None) -> float:
        """Start due jobs up to the limit: first those that hold a server session (they
        were uploading), and a new one only while fewer than the limit hold sessions, so
        after a restart the daemon never asks the server for more sessions than allowed.
        Returns the seconds until a waiting job's next attempt (LONGEST_SLEEP if none)."""
        now = now or utcnow()
        jobs = sorted(self.store.in_states(RUNNABLE), key=lambda j: RESUME_ORDER[JobState(j.state)])
        sleep = self.seconds_until((j.next_attempt_at for j in jobs), now)
        holding = sum(1 for j in jobs if j.session_key)
        for job in jobs:
            with self._lock:
                if len(self.running) >= self.concurrency:
                    return sleep
                if job.id in self.running or not due(job, now):
                    continue
                # Read after the running check: a run that failed since the jobs were read
                # has set its hold by now.
                held = self._hold_left(job.id)
                if held > 0:
                    sleep = min(sleep, held)
                    continue
                if not job.session_key:
                    if holding >= self.concurrency:
                        continue
                    holding += 1  # it will ask the server for a session
                cancel = threading.Event()
                self.running[job.id] = cancel
            threading.Thread(
                target=self._work, args=(job.id, cancel), daemon=True, name=f"job-{job.id}"
            ).start()
        return sleep

    def _hold_left(self, job_id: str) -> float:
        """Seconds a job that failed unexpectedly still waits (0 if not held)."""
        end, _ = self._held.get(job_id, (0.0, 0.0))
        return max(0.0, end - time.monotonic())

    def release(self, job_id: str) -> None:
        """No hold from an earlier failure: the job ran through, or the user resumed or
        retried it."""
        self._held.pop(job_id, None)

    def _hold(self, job_id: str) -> None:
        """Hold a job whose run failed unexpectedly and could not even be marked failed (a
        full disk): the thread's end wakes the scheduler, and without the hold the same
        error would restart the job at once, for ever."""
        _, last = self._held.get(job_id, (0.0, 0.0))
        length = min(LONGEST_SLEEP, last * 2 if last else FIRST_HOLD)
        self._held[job_id] = (time.monotonic() + length, length)

    def _work(self, job_id: str, cancel: threading.Event) -> None:
        try:
            self.stages.run(job_id, cancel)
            self.release(job_id)  # it ran through: an earlier failure's hold is over
        except (IllegalTransition, JobNotFound) as exc:
            if isinstance(exc, MovedOn) or cancel.is_set():
                log.info("job %s: %s", job_id, exc)  # the user's move, or a stop: it stands
            else:
                self._failed_unexpectedly(job_id, exc, cancel)
        except Exception as exc:
            self._failed_unexpectedly(job_id, exc, cancel)
        finally:
            with self._lock:
                self.running.pop(job_id, None)
            self._wake.set()

    def _failed_unexpectedly(self, job_id: str, error: Exception, cancel: threading.Event) -> None:
        log.error("job %s failed unexpectedly", job_id, exc_info=error)
        if not self._mark_failed(job_id, error, cancel):
            self._hold(job_id)

    def _mark_failed(self, job_id: str, error: Exception, cancel: threading.Event) -> bool:
        """Show the failure; False when it could not be written."""
        try:
            self.store.update(
                job_id,
                state=S.FAILED,
                error_code="internal_error",
                error_message=f"unexpected error: {type(error).__name__}",
                unless=cancel,
            )
        except (IllegalTransition, JobNotFound) as exc:  # a user's move or a stop stands
            log.info("job %s: not marked failed: %s", job_id, exc)
        except Exception:  # the database itself (a full disk)
            log.exception("job %s could not be marked failed", job_id)
            return False
        return True

    # -- outbox ----------------------------------------------------------------------------

    def deliver_outbox(self, now: datetime | None = None) -> int:
        client = self.client()
        if client is None:
            return 0

        def complete(payload: dict[str, Any]) -> Any:
            return client.complete(CompleteRequest.model_validate(payload))

        handlers = {
            "complete": complete,
            "process": lambda p: client.process(p["mediaFileId"]),
            "cancel": lambda p: client.cancel_session(p["sessionKey"]),
        }
        try:
            return self.outbox.deliver_due(handlers, self._delivered, self._failed, now)
        except NotSignedIn:
            return 0

    def _delivered(self, entry: OutboxEntry, result: Any) -> None:
        if entry.kind != "complete":
            return
        media_id = result.id
        self.store.update(
            entry.job_id,
            state=S.DONE,
            media_file_id=media_id,
            cdn_url=result.cdn_url,
            error_code=None,
            error_message=None,
            also=lambda db, job: enqueue(db, job.id, "process", {"mediaFileId": media_id}),
        )

    def _failed(self, entry: OutboxEntry, message: str) -> None:
        if entry.kind == "complete":
            self.store.update(
                entry.job_id,
                state=S.FAILED,
                error_code="complete_refused",
                error_message=f"the server refused the upload: {message}",
            )
