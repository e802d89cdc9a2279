"""The scheduler sleeps until work is due (a wake, or a waiting job or server call reaching
its next attempt), and the control API's server does not tick: an idle daemon stays
asleep. In process, on a real SQLite database and a real uvicorn server on loopback."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from daemon.control.server import ControlServer, bind_loopback
from daemon.core.core import DaemonCore
from daemon.jobs.models import OutboxEntry, utcnow
from tests.support.daemon import wait_until
from tests.support.fake_core import core_with_fakes, sign_in
from tests.support.fakes import FakeServer, FakeUploader


@pytest.fixture
def core(tmp_path: Path) -> Iterator[DaemonCore]:
    with core_with_fakes(tmp_path, FakeServer(), FakeUploader()) as core:
        sign_in(core)
        yield core


def started_jobs(core: DaemonCore) -> list[tuple[str, float]]:
    """Replace the stages with a recorder of (job id, when it started); each job's thread
    then holds until the scheduler stops (a thread that ended would wake it)."""
    started: list[tuple[str, float]] = []

    def hold(job_id: str, cancel: threading.Event) -> None:
        started.append((job_id, time.monotonic()))
        cancel.wait(30)

    core.stages.run = hold  # type: ignore[method-assign]
    return started


def test_an_idle_scheduler_does_not_look_again_until_woken(
    core: DaemonCore, videos: dict[str, Path]
) -> None:
    looks: list[float] = []
    in_states = core.store.in_states

    def counted(*args: object, **kwargs: object) -> object:
        looks.append(time.monotonic())
        return in_states(*args, **kwargs)  # type: ignore[arg-type]

    core.store.in_states = counted  # type: ignore[assignment, method-assign]
    started = started_jobs(core)
    core.runner.start()
    time.sleep(2.0)
    assert len(looks) == 1, f"nothing to do, yet the jobs were looked at {len(looks)} times"
    (job,) = core.add_files([videos["mp4"]])  # a change wakes it at once
    wait_until(lambda: started, 5, "the added job never started")
    assert started[0][0] == job.id


def test_a_job_waiting_for_its_next_attempt_starts_when_it_is_due(
    core: DaemonCore, videos: dict[str, Path]
) -> None:
    started = started_jobs(core)
    (job,) = core.add_files([videos["mp4"]])
    due_at = time.monotonic() + 0.6  # before the wait is written: never later than it
    core.store.backoff(job.id, 0.6, "server_unreachable", "waiting: the server did not answer")
    core.runner.start()
    wait_until(lambda: started, 5, "the job never started after its wait")
    assert started[0][1] >= due_at - 0.05, "the job started before its next attempt"


def test_a_server_call_tried_again_later_goes_out_when_it_is_due(core: DaemonCore) -> None:
    server = core.client()
    assert isinstance(server, FakeServer)
    with core.store.factory() as db:
        db.add(
            OutboxEntry(
                job_id="j1",
                kind="cancel",
                payload={"sessionKey": "s1"},
                next_attempt_at=utcnow() + timedelta(seconds=0.6),
            )
        )
        db.commit()
    core.runner.start()
    time.sleep(0.2)
    assert server.cancelled == [], "sent before its next attempt"
    wait_until(lambda: server.cancelled == ["s1"], 5, "the waiting call was never sent")


def test_processing_is_asked_for_as_soon_as_the_upload_is_complete(
    core: DaemonCore, videos: dict[str, Path]
) -> None:
    """``complete`` queues ``process`` while the scheduler delivers it: that call goes out
    at once, not at the next look for another reason (which may be minutes away)."""
    core.runner.start()
    (job,) = core.add_files([videos["mp4"]])
    wait_until(lambda: core.jobs.get(job.id).state == "done", 30, "the upload never finished")
    wait_until(
        lambda: core.outbox.pending() == [], 5, "the server was not asked to process the video"
    )


def test_a_session_opened_early_and_left_unused_is_cancelled_without_another_wake(
    core: DaemonCore, videos: dict[str, Path]
) -> None:
    """The early ``initiate`` answers in a pool thread, after the job went another way:
    the cancel it queues wakes the scheduler itself (the job's thread is still busy)."""
    server = core.client()
    assert isinstance(server, FakeServer)
    started = started_jobs(core)
    core.runner.start()
    (job,) = core.add_files([videos["mp4"]])
    wait_until(lambda: started, 5, "the job never started")
    time.sleep(0.3)  # the scheduler is asleep: nothing is due, the job's thread holds
    lookups = core.stages.lookups
    lookups.start(core.store.get(job.id), videos["mp4"], 0)
    lookups.forget(job.id)  # rejected, paused: the answer is not used
    wait_until(lambda: server.sessions, 5, "no session was opened early")
    (session_key,) = server.sessions
    wait_until(lambda: server.cancelled == [session_key], 5, "the unused session stayed open")


def test_signing_in_gives_a_job_waiting_for_it_in_any_stage_its_chance_at_once(
    core: DaemonCore, videos: dict[str, Path]
) -> None:
    (job,) = core.add_files([videos["mp4"]])
    for state in ("probing", "initiating"):  # signed out while it asked for a session
        core.store.update(job.id, state=state)
    core.store.backoff(job.id, 3600, "not_signed_in", "waiting: signed out: sign in")
    sign_in(core)
    waiting = core.store.get(job.id)
    assert waiting.next_attempt_at is None and waiting.error_code is None, "still an hour"


def voluntary_switches(thread: threading.Thread) -> int:
    """How often ``thread`` gave up the CPU to sleep: each one is a wake-up after it."""
    status = Path(f"/proc/self/task/{thread.native_id}/status").read_text()
    line = next(x for x in status.splitlines() if x.startswith("voluntary_ctxt_switches"))
    return int(line.split()[1])


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc")
def test_the_control_api_server_sleeps_while_nobody_calls_and_stops_when_asked() -> None:
    app = FastAPI()
    app.get("/ping")(lambda: {"ok": True})
    sock = bind_loopback()
    port = sock.getsockname()[1]
    control = ControlServer(app, sock)
    control.start()
    wait_until(
        lambda: _answers(f"http://127.0.0.1:{port}/ping"), 10, "the control API never answered"
    )
    time.sleep(0.5)  # the ping's connection closed
    before = voluntary_switches(control.thread)
    time.sleep(1.5)
    woke = voluntary_switches(control.thread) - before
    assert woke <= 4, f"the idle control API thread woke {woke} times in 1.5 s"
    assert _answers(f"http://127.0.0.1:{port}/ping"), "asleep, but still answering at once"
    control.stop()
    assert not control.thread.is_alive(), "the control API did not stop"
    control.stop()  # again (a second signal while stopping): nothing left to stop, no error


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).json() == {"ok": True}
    except httpx.HTTPError:
        return False
