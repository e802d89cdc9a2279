"""The scheduler: starts jobs up to the concurrency limit, and on a thread of its own
makes the queued server calls (the outbox).

Each sleeps until something is due: woken at once by every change that can make work due
(a job added, resumed or retried, a job's thread ending, a sign-in, a setting), and by
the clock when a waiting job or server call reaches its next attempt. An idle daemon
then does not wake at all, where a fixed tick would look at the database twice a second
all day (a laptop's battery pays for every wake-up)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from daemon.core.errors import JobNotFound
from daemon.jobs.models import OutboxEntry, utcnow
from daemon.jobs.states import IllegalTransition, JobState, MovedOn
from daemon.jobs.store import JobStore, due
from daemon.outbox import Outbox, enqueue
from daemon.pipeline.stages import Stages
from daemon.pipeline.wakeable_loop import LONGEST_SLEEP, WakeableLoop, seconds_until
from daemon.serverapi.api import MediaApi
from daemon.serverapi.errors import NotSignedIn
from shared.api_schemas import CompleteRequest
from shared.policy import Policy

log = logging.getLogger(__name__)
S = JobState
RUNNABLE = (S.QUEUED, S.PROBING, S.INITIATING, S.UPLOADING)
RESUME_ORDER = {S.UPLOADING: 0, S.INITIATING: 1, S.PROBING: 2, S.QUEUED: 3}
FIRST_HOLD = 5.0  # a job that failed unexpectedly waits this long, doubling, before again
STOP_WAIT_SECONDS = 3.0  # for both loops' looks to end when the daemon stops


class JobRunner:
    def __init__(
        self,
        store: JobStore,
        stages: Stages,
        outbox: Outbox,
        client: Callable[[], MediaApi | None],
        concurrency: int,
        policy: Callable[[], Policy],
    ) -> None:
        self.store, self.stages, self.outbox, self.client = store, stages, outbox, client
        self.policy = policy
        self.concurrency = max(1, concurrency)
        self.running: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self._held: dict[str, tuple[float, float]] = {}  # job id: (monotonic end, length)
        self._launches = WakeableLoop("job-scheduler", self.launch_due_jobs)
        self._calls = WakeableLoop("server-calls", self._make_due_calls)

    def start(self) -> None:
        self._launches.start()
        self._calls.start()

    def stop(self) -> None:
        for loop in (self._launches, self._calls):
            loop.ask_to_stop()
        with self._lock:  # a launch after this sees the stop: none starts uncancelled
            for cancel in self.running.values():
                cancel.set()
        deadline = time.monotonic() + STOP_WAIT_SECONDS
        for loop in (self._launches, self._calls):  # a call that hangs is left (it stays queued)
            loop.join(deadline - time.monotonic())

    def wake(self) -> None:
        self._launches.wake()
        self._calls.wake()

    def interrupt(self, job_id: str) -> None:
        with self._lock:
            cancel = self.running.get(job_id)
        if cancel is not None:
            cancel.set()

    def launch_due_jobs(self, now: datetime | None = None) -> float:
        """Start due jobs up to the limit: first those that hold a server session (they
        were uploading), and a new one only while fewer than the limit hold sessions, so
        after a restart the daemon never asks the server for more sessions than allowed;
        nor while the server's own limit is taken, counting the sessions a queued
        ``complete`` or ``cancel`` is about to close (the server-call loop wakes this one
        when it has made them). Returns the seconds until a waiting job's next attempt
        (LONGEST_SLEEP if none)."""
        now = now or utcnow()
        jobs = sorted(self.store.in_states(RUNNABLE), key=lambda j: RESUME_ORDER[JobState(j.state)])
        sleep = seconds_until((j.next_attempt_at for j in jobs), now)
        with self._lock:  # a running job without a session yet is about to ask for one
            holding = sum(1 for j in jobs if j.session_key or j.id in self.running)
        server_room = self.policy().max_concurrent_uploads - self.outbox.sessions_closing()
        for job in jobs:
            with self._lock:
                if self._launches.stopping or len(self.running) >= self.concurrency:
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
                    if holding >= min(self.concurrency, server_room):
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
            self.wake()  # a slot is free, and the run may have queued a call (``complete``)

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

    def _make_due_calls(self, now: datetime) -> float:
        """One look of the server-call loop; the seconds until a waiting call is due."""
        delivered = self.deliver_outbox(now)
        if delivered:  # a delivery may queue the next call (``process``): look again
            self._launches.wake()  # and a session the server counted may be closed
            return 0.0
        return seconds_until(self.outbox.next_attempts(), now)

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
        self._launches.wake()  # the call is set aside: it no longer holds a session
        if entry.kind == "complete":
            self.store.update(
                entry.job_id,
                state=S.FAILED,
                error_code="complete_refused",
                error_message=f"the server refused the upload: {message}",
            )
