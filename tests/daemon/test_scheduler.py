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
    """Replace the stages with a recorder of (job id, when it started)."""
    started: list[tuple[str, float]] = []
    core.stages.run = lambda job_id, _cancel: started.append(  # type: ignore[method-assign]
        (job_id, time.monotonic())
    )
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
    core.store.backoff(job.id, 0.6, "server_unreachable", "waiting: the server did not answer")
    due_at = time.monotonic() + 0.6
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
    before = voluntary_switches(control.thread)
    time.sleep(1.5)
    woke = voluntary_switches(control.thread) - before
    assert woke <= 2, f"the idle control API thread woke {woke} times in 1.5 s"
    assert _answers(f"http://127.0.0.1:{port}/ping"), "asleep, but still answering at once"
    control.stop()
    assert not control.thread.is_alive(), "the control API did not stop"


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).json() == {"ok": True}
    except httpx.HTTPError:
        return False
