"""The scheduler sleeps until work is due (a wake, or a waiting job or server call reaching
its next attempt), and the control API's server does not tick: an idle daemon stays
asleep. In process, on a real SQLite database and a real uvicorn server on loopback."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

import daemon.pipeline.wakeable_loop as wakeable_loop_module
from daemon.control.server import ControlServer, bind_loopback
from daemon.core.core import DaemonCore
from daemon.core.events import QUEUE_LIMIT, EventBus
from daemon.jobs.models import OutboxEntry, utcnow
from daemon.jobs.states import JobState as S
from daemon.outbox import close_session_later
from daemon.serverapi.errors import ServerRejected
from shared.api_schemas import CompleteRequest, InitiateRequest, InitiateResponse, MediaFileOut
from shared.policy import Policy
from tests.support.daemon import wait_until
from tests.support.fake_core import core_with_fakes, sign_in, started_jobs
from tests.support.fakes import FakeServer, FakeUploader
from tests.videos import settled_copy


@pytest.fixture
def core(tmp_path: Path) -> Iterator[DaemonCore]:
    with core_with_fakes(tmp_path, FakeServer(), FakeUploader()) as core:
        sign_in(core)
        yield core


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
    sent_at: list[float] = []
    cancel_session = server.cancel_session

    def timed(session_key: str) -> None:
        sent_at.append(time.monotonic())
        cancel_session(session_key)

    server.cancel_session = timed  # type: ignore[method-assign]
    due_at = time.monotonic() + 0.6  # before the attempt is written: never later than it
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
    wait_until(lambda: server.cancelled == ["s1"], 5, "the waiting call was never sent")
    assert sent_at[0] >= due_at - 0.05, "sent before its next attempt"


def test_a_server_call_that_cannot_be_made_holds_up_neither_the_others_nor_the_jobs(
    core: DaemonCore, videos: dict[str, Path]
) -> None:
    """A call of a kind another version of the daemon wrote, and one whose payload this
    version cannot read: each is set aside or waits its turn, and everything else goes."""
    server = core.client()
    assert isinstance(server, FakeServer)
    with core.store.factory() as db:
        db.add(OutboxEntry(job_id="j1", kind="transcode", payload={}))
        db.add(OutboxEntry(job_id="j2", kind="complete", payload={"sessionKey": 1}))
        db.add(OutboxEntry(job_id="j3", kind="cancel", payload={"sessionKey": "s3"}))
        db.commit()
    started = started_jobs(core)
    core.runner.start()
    core.add_files([videos["mp4"]])
    wait_until(lambda: started, 5, "a job waited behind a call that cannot be made")
    wait_until(lambda: server.cancelled == ["s3"], 5, "a call waited behind another job's")
    (waiting,) = core.outbox.pending()
    assert waiting.kind == "complete" and waiting.last_error == "unexpected error: ValidationError"
    assert waiting.next_attempt_at > utcnow(), "tried again at once, in a loop"


@pytest.mark.parametrize("clock_ahead_ms", [0, 50])
def test_processing_is_asked_for_as_soon_as_the_upload_is_complete(
    core: DaemonCore,
    videos: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    clock_ahead_ms: int,
) -> None:
    """``complete`` queues ``process`` while the scheduler delivers it: that call goes out
    at once, not at the next look for another reason (which may be minutes away). Also
    where the look's clock and the queued call's time tie or cross (a clock of 15.6 ms
    steps, as on Windows): the loops' clock is set ahead here."""
    ahead = timedelta(milliseconds=clock_ahead_ms)
    monkeypatch.setattr(wakeable_loop_module, "utcnow", lambda: utcnow() + ahead)
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
    for state in (S.PROBING, S.INITIATING):  # signed out while it asked for a session
        core.store.update(job.id, state=state)
    core.store.backoff(job.id, 3600, "not_signed_in", "waiting: signed out: sign in")
    sign_in(core)
    waiting = core.store.get(job.id)
    assert waiting.next_attempt_at is None and waiting.error_code is None, "still an hour"


def test_pausing_a_waiting_job_that_holds_a_session_lets_the_next_one_start(
    core: DaemonCore, videos: dict[str, Path]
) -> None:
    """One upload at a time: a job waiting a minute to resume its session holds the slot,
    and pausing it hands the slot to the next job now, not when the minute is over."""
    core.runner.concurrency = 1
    started = started_jobs(core)
    first, second = core.add_files([videos["mp4"], videos["mov"]])
    for state in (S.PROBING, S.INITIATING):
        core.store.update(first.id, state=state)
    core.store.update(first.id, state=S.UPLOADING, session_key="s1")
    core.store.backoff(first.id, 60, "server_unreachable", "waiting: the server did not answer")
    core.runner.start()
    time.sleep(0.5)
    assert started == [], "a second session was asked for while one is held"
    core.jobs.pause(first.id)
    wait_until(lambda: started, 5, "the next job waited for the paused one's minute")
    assert started[0][0] == second.id


def test_raising_the_concurrent_uploads_starts_another_job_at_once(
    core: DaemonCore, videos: dict[str, Path]
) -> None:
    core.set_settings({"concurrent-uploads": "1"})
    started = started_jobs(core)
    core.runner.start()
    core.add_files([videos["mp4"], videos["mov"]])
    wait_until(lambda: len(started) == 1, 5, "the first job never started")
    time.sleep(0.3)
    assert len(started) == 1, "two uploads at once with the limit at one"
    core.set_settings({"concurrent-uploads": "2"})
    wait_until(lambda: len(started) == 2, 5, "the second job waited although the limit rose")


@pytest.mark.parametrize(
    "refusal",
    [ServerRejected(404, "not_found", "no such page"), AttributeError("'list' has no 'get'")],
    ids=["refused", "malformed"],
)
def test_signing_in_sends_the_calls_that_waited_for_it_even_if_the_policy_is_unreadable(
    tmp_path: Path, refusal: Exception
) -> None:
    """A server that refuses its policy page (an older server, a proxy) or answers it with
    something else still takes the sign-in: the uploads are checked with the default
    policy and the waiting calls go."""
    server = FakeServer()

    def refused() -> None:
        raise refusal

    server.policy = refused  # type: ignore[assignment, method-assign]
    with core_with_fakes(tmp_path, server, FakeUploader()) as core:
        with core.store.factory() as db:
            db.add(OutboxEntry(job_id="j1", kind="cancel", payload={"sessionKey": "s1"}))
            db.commit()
        core.runner.start()
        time.sleep(0.3)  # looked once: signed out, nothing can be sent
        assert server.cancelled == []
        sign_in(core)
        wait_until(lambda: server.cancelled == ["s1"], 5, "the waiting call stayed unsent")


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


def test_the_control_api_server_stops_on_a_signal_it_handles() -> None:
    """Where uvicorn handles the signals (run on a main thread), SIGTERM ends the server,
    though no tick looks at the flag it sets."""
    app = FastAPI()
    control = ControlServer(app, bind_loopback())
    control.start()
    wait_until(lambda: control.server.started, 10, "the control API never started")
    control.server.handle_exit(signal.SIGTERM, None)
    control.thread.join(5)
    assert not control.thread.is_alive(), "SIGTERM left the control API running"


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).json() == {"ok": True}
    except httpx.HTTPError:
        return False


def test_a_run_still_going_when_the_core_stops_asks_nothing_more(
    core: DaemonCore, videos: dict[str, Path], tmp_path: Path
) -> None:
    """The daemon stops while a job's run is still probing: its early ``initiate`` and its
    thumbnail are not started (the pools are closed), and nothing is raised at it."""
    lecture = settled_copy(videos["mp4"], tmp_path / "lecture.mp4")
    (view,) = core.add_files([lecture])
    job = core.store.get(view.id)
    server = core.client()
    assert isinstance(server, FakeServer)
    core.stop()
    core.stages.lookups.start(job, lecture, 2.0)
    core.stages.thumbnails.start(job, lambda made: True)
    time.sleep(0.2)
    assert server.initiated == [], "a stopped daemon asked the server"
    assert core.stages.thumbnails.wait(job.id, job.session_key).path is None


def test_a_look_that_comes_after_the_stop_starts_no_job(
    core: DaemonCore, videos: dict[str, Path]
) -> None:
    """A look already under way when the daemon stops would start a job whose run the stop
    did not cancel (it cancels the runs it knows): a stopped scheduler starts none."""
    started = started_jobs(core)
    core.runner.stop()
    core.add_files([videos["mp4"]])
    core.runner.launch_due_jobs()
    assert started == [], "a job started after the stop"


def test_a_stop_with_more_early_requests_queued_than_threads_returns(
    core: DaemonCore, videos: dict[str, Path], tmp_path: Path
) -> None:
    """Three files probed at once while the server hangs: two early ``initiate``s hang,
    the third waits for a thread; the daemon's stop still returns, at once."""
    server = core.client()
    assert isinstance(server, FakeServer)
    answer = threading.Event()
    server.initiate = lambda request: answer.wait(30)  # type: ignore[assignment,method-assign,return-value]
    for n in range(3):
        lecture = settled_copy(videos["mp4"], tmp_path / f"lecture-{n}.mp4")
        (view,) = core.add_files([lecture])
        core.stages.lookups.start(core.store.get(view.id), lecture, 2.0)
    stopping = threading.Thread(target=core.stop, daemon=True)
    stopping.start()
    stopping.join(10)
    answer.set()
    assert not stopping.is_alive(), "the stop hung"


def cancels_hang(core: DaemonCore) -> tuple[threading.Event, threading.Event]:
    """The server takes up to 30 s over a session's cancel: (the call is being made, let
    it answer)."""
    server = core.client()
    assert isinstance(server, FakeServer)
    calling, answer = threading.Event(), threading.Event()

    def hangs(session_key: str) -> None:
        calling.set()
        answer.wait(30)

    server.cancel_session = hangs  # type: ignore[method-assign]
    return calling, answer


def test_a_stop_does_not_wait_for_a_server_call_that_hangs(
    core: DaemonCore, videos: dict[str, Path]
) -> None:
    """A queued call (a session's cancel) hangs on the scheduler's thread: the stop leaves
    it (it stays queued) instead of waiting 10 s for it."""
    calling, answer = cancels_hang(core)
    (view,) = core.add_files([videos["mp4"]])
    close_session_later(core.store.factory, view.id, "s-1")
    core.runner.start()
    assert calling.wait(10), "the call was never made"
    started = time.monotonic()
    core.stop()
    took = time.monotonic() - started
    answer.set()
    assert took < 6, f"the stop waited {took:.1f} s for a call that hung"


def test_a_server_call_that_hangs_does_not_hold_up_new_uploads(
    core: DaemonCore, videos: dict[str, Path]
) -> None:
    """The server takes its time over one queued call (a session's cancel, up to the
    client's 30 s timeout): a lecture added meanwhile starts at once all the same."""
    calling, answer = cancels_hang(core)
    started = started_jobs(core)
    close_session_later(core.store.factory, "earlier-job", "s-1")
    core.runner.start()
    try:
        assert calling.wait(10), "the call was never made"
        (view,) = core.add_files([videos["mp4"]])
        wait_until(lambda: started, 5, "the new upload waited for the server call that hung")
        assert started[0][0] == view.id
    finally:
        answer.set()


class SessionLimitedServer(FakeServer):
    """Counts sessions as the real server does (opened, and neither completed nor
    cancelled: server/services/uploads.py) and refuses one more than its policy allows
    with 429 ``too_many_uploads``; ``complete`` takes as long as a real one checking the
    stored file might."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self._policy = Policy(max_concurrent_uploads=limit)
        self.lock = threading.Lock()
        self.closed: set[str] = set()
        self.refused = 0

    def initiate(self, request: InitiateRequest) -> InitiateResponse:
        with self.lock:
            active = len(set(self.sessions) - self.closed)
            if active >= self._policy.max_concurrent_uploads:
                self.refused += 1
                raise ServerRejected(429, "too_many_uploads", f"{active} uploads are open")
            return super().initiate(request)

    def complete(self, request: CompleteRequest) -> MediaFileOut:
        time.sleep(0.3)
        with self.lock:
            media = super().complete(request)
            self.closed.add(request.session_key)
            return media

    def cancel_session(self, session_key: str) -> None:
        time.sleep(0.3)
        with self.lock:
            super().cancel_session(session_key)
            self.closed.add(session_key)


def three_lectures(videos: dict[str, Path], folder: Path) -> list[Path]:
    return [
        settled_copy(videos[kind], folder / f"lecture.{kind}") for kind in ("mp4", "mov", "webm")
    ]


@pytest.mark.parametrize("concurrency", [1, 2])
def test_lectures_queued_at_the_servers_session_limit_go_one_after_another_unrefused(
    tmp_path: Path, videos: dict[str, Path], concurrency: int
) -> None:
    """The server allows one open upload. The next lecture opens its session once the
    last one's ``complete`` has closed it (not before, to be refused and wait 15 s), also
    when the daemon's own limit is higher than the server's."""
    server = SessionLimitedServer(limit=1)
    with core_with_fakes(tmp_path, server, FakeUploader()) as core:
        sign_in(core)
        core.runner.concurrency = concurrency
        core.runner.start()
        views = core.add_files(three_lectures(videos, tmp_path))

        def done_or_refused() -> bool:
            return server.refused > 0 or all(core.store.get(v.id).state == "done" for v in views)

        wait_until(done_or_refused, 60, "the lectures did not all upload")
        assert server.refused == 0, "a lecture asked for a session the server had no room for"


def test_a_lecture_added_while_another_is_still_opening_its_session_waits_its_turn(
    tmp_path: Path, videos: dict[str, Path]
) -> None:
    """The server allows one open upload and has opened the first lecture's session, but
    its answer is still on the way (the job has no session yet): a lecture added now
    waits, rather than asking at once and being refused."""
    server = SessionLimitedServer(limit=1)
    answering, answer = threading.Event(), threading.Event()
    initiate = server.initiate

    def slow_first_answer(request: InitiateRequest) -> InitiateResponse:
        opened = initiate(request)
        if not answering.is_set():
            answering.set()
            answer.wait(10)
        return opened

    server.initiate = slow_first_answer  # type: ignore[method-assign]
    first_lecture, second_lecture, _ = three_lectures(videos, tmp_path)
    with core_with_fakes(tmp_path, server, FakeUploader()) as core:
        sign_in(core)
        core.runner.concurrency = 2
        core.runner.start()
        (first,) = core.add_files([first_lecture])
        assert answering.wait(10), "the first lecture never asked for a session"
        (second,) = core.add_files([second_lecture])
        time.sleep(0.5)  # time enough for the second to be probed and ask, were it started
        answer.set()

        def both_done_or_refused() -> bool:
            states = {core.store.get(v.id).state for v in (first, second)}
            return server.refused > 0 or states == {"done"}

        wait_until(both_done_or_refused, 30, "the lectures did not both upload")
        assert server.refused == 0, "the second asked for a session the server had no room for"


def test_a_lecture_queued_behind_a_cancelled_upload_opens_its_session_once_the_cancel_is_made(
    tmp_path: Path, videos: dict[str, Path]
) -> None:
    """The user cancels the upload that holds the server's only session: the next lecture
    asks for its own once the cancel has been made, and is not refused."""
    server = SessionLimitedServer(limit=1)
    uploader = FakeUploader()
    go = threading.Event()

    def held(_part: int) -> None:
        go.wait(10)

    uploader.between_parts = held
    with core_with_fakes(tmp_path, server, uploader) as core:
        sign_in(core)
        core.runner.concurrency = 1
        core.runner.start()
        first, second = core.add_files(three_lectures(videos, tmp_path)[:2])
        uploading = lambda: core.store.get(first.id).state == "uploading"  # noqa: E731
        wait_until(uploading, 10, "the first lecture never uploaded")
        core.jobs.cancel(first.id)
        go.set()
        wait_until(
            lambda: server.refused > 0 or core.store.get(second.id).state == "done",
            30,
            "the second lecture never uploaded",
        )
        assert server.refused == 0, "the second asked for a session before the first's was closed"


def test_an_event_reader_far_behind_still_learns_that_the_daemon_stops() -> None:
    """A window that stopped reading (its queue full): the stop's end still reaches it, so
    its stream ends instead of sending heartbeats until the process is gone."""
    bus = EventBus()
    subscription = bus.subscribe()
    for _ in range(QUEUE_LIMIT):
        bus.data("settings", {})
    bus.close()
    items = []
    while not subscription.empty():
        items.append(subscription.get_nowait())
    assert items[-1] is None
