"""A job whose run fails with a bug shows it, can be retried at once, never overwrites what
the user did meanwhile, and never restarts in a loop; a server call whose answer cannot be
applied holds up no other. In process, on a real SQLite database."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from daemon.core.core import DaemonCore
from daemon.core.errors import JobNotFound
from daemon.jobs.models import OutboxEntry, utcnow
from daemon.jobs.states import IllegalTransition
from daemon.jobs.states import JobState as S
from daemon.outbox import Outbox
from daemon.pipeline import stages as stages_module
from daemon.pipeline.preparation import StillBeingWritten
from daemon.serverapi.errors import ServerUnavailable
from daemon.transfer.errors import TransferCancelled, TransferError
from tests.support.daemon import wait_until
from tests.support.fake_core import core_with_fakes, sign_in
from tests.support.fakes import FakeServer, FakeUploader


@pytest.fixture
def core(tmp_path: Path) -> Iterator[DaemonCore]:
    with core_with_fakes(tmp_path, FakeServer(), FakeUploader()) as core:
        sign_in(core)
        yield core


def failing_stages(core: DaemonCore, failures: int = 10**6, meanwhile: Any = None) -> list[float]:
    """Stages whose first ``failures`` runs fail with a bug (after ``meanwhile(job_id)``,
    what the user does while the run is failing), and later runs hold until the scheduler
    stops; when each run started."""
    runs: list[float] = []

    def run(job_id: str, cancel: threading.Event) -> None:
        runs.append(time.monotonic())
        if len(runs) <= failures:
            if meanwhile is not None:
                meanwhile(job_id)
            raise RuntimeError("a bug")
        cancel.wait(30)

    core.stages.run = run  # type: ignore[method-assign]
    return runs


def disk_full_for(core: DaemonCore, state: S, times: int = 10**6) -> list[S]:
    """The database refuses the first ``times`` writes of ``state`` as a full disk would;
    the refusals so far."""
    update = core.store.update
    refused: list[S] = []

    def full(job_id: str, **changes: Any) -> Any:
        if changes.get("state") == state and len(refused) < times:
            refused.append(state)
            raise OSError(28, "No space left on device")
        return update(job_id, **changes)

    core.store.update = full  # type: ignore[method-assign]
    return refused


def says_cancelled_for_good(core: DaemonCore, job_id: str) -> None:
    """The job shows cancelled, and half a second later still says only that."""
    wait_until(lambda: core.jobs.get(job_id).state == "cancelled", 10, "never cancelled")
    time.sleep(0.5)
    error = core.jobs.get(job_id).error
    assert error is not None and error.message == "cancelled", error


def test_a_job_that_fails_unexpectedly_shows_it_and_is_not_run_again(
    core: DaemonCore, videos: dict[str, Path]
) -> None:
    runs = failing_stages(core)
    core.runner.start()
    (job,) = core.add_files([videos["mp4"]])
    wait_until(lambda: core.jobs.get(job.id).state == "failed", 5, "the job never showed failed")
    error = core.jobs.get(job.id).error
    assert error is not None and error.message == "unexpected error: RuntimeError"
    time.sleep(1.0)
    assert len(runs) == 1, f"a failed job was run {len(runs)} times"


def test_a_job_that_failed_unexpectedly_runs_again_at_once_when_retried(
    core: DaemonCore, videos: dict[str, Path]
) -> None:
    runs = failing_stages(core, failures=1)
    core.runner.start()
    (job,) = core.add_files([videos["mp4"]])
    wait_until(lambda: core.jobs.get(job.id).state == "failed", 5, "the job never showed failed")
    core.jobs.retry(job.id)
    wait_until(lambda: len(runs) == 2, 2, "the retried job waited")


def test_a_failing_run_does_not_overwrite_a_cancel_and_retry_made_meanwhile(
    core: DaemonCore, videos: dict[str, Path]
) -> None:
    """The user cancels and retries while the old run is still ending in its error: the
    job is theirs, queued again, and runs; it does not turn to failed."""

    def cancel_and_retry(job_id: str) -> None:
        core.jobs.cancel(job_id)
        core.jobs.retry(job_id)

    runs = failing_stages(core, failures=1, meanwhile=cancel_and_retry)
    core.runner.start()
    (job,) = core.add_files([videos["mp4"]])
    wait_until(lambda: len(runs) == 2, 5, "the retried job never ran again")
    assert core.jobs.get(job.id).state == "queued", "the old run's failure overwrote the retry"


def test_an_upload_refused_by_the_store_does_not_overwrite_a_cancel_and_retry_made_meanwhile(
    tmp_path: Path, videos: dict[str, Path]
) -> None:
    """The store refuses a part for good just as the user cancels and retries: the retried
    upload goes ahead and finishes, rather than showing the old attempt's failure."""
    uploader = FakeUploader()
    ids: list[str] = []
    with core_with_fakes(tmp_path, FakeServer(), uploader) as core:
        sign_in(core)

        def refuse_once(part: int) -> None:
            if uploader.started == 1 and part == 1:
                core.jobs.cancel(ids[0])
                core.jobs.retry(ids[0])
                raise TransferError("the store refused the part", transient=False)

        uploader.between_parts = refuse_once
        (job,) = core.add_files([videos["mp4"]])
        ids.append(job.id)
        core.runner.start()
        wait_until(lambda: core.jobs.get(job.id).state in ("done", "failed"), 30, "never ended")
        assert core.jobs.get(job.id).state == "done", core.jobs.get(job.id).error


def test_a_cancel_while_the_file_is_found_still_growing_stands(
    core: DaemonCore, videos: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The user cancels while the probe finds the recording still being written: the run's
    "try again in 5 s" must not bring the cancelled upload back."""
    ids: list[str] = []
    probed = threading.Event()

    def growing(path: Path, policy: object) -> None:
        core.jobs.cancel(ids[0])
        probed.set()
        raise StillBeingWritten("the file is still being written")

    monkeypatch.setattr(stages_module, "prepare", growing)
    (job,) = core.add_files([videos["mp4"]])
    ids.append(job.id)
    core.runner.start()
    assert probed.wait(5), "the job was never probed"
    time.sleep(0.5)
    assert core.jobs.get(job.id).state == "cancelled", "the cancelled upload came back"


@pytest.mark.parametrize("early", [True, False], ids=["while-probing", "after-probing"])
def test_a_pause_while_the_server_opens_the_session_stands_and_frees_that_session(
    tmp_path: Path, videos: dict[str, Path], early: bool
) -> None:
    """The user pauses while the server opens the upload session, asked for while the
    video is probed or after: the run must not carry on to the upload, the session it
    no longer needs is closed (it counts against the server's limit for an hour), and
    resuming finishes the upload."""
    server = FakeServer()
    ids: list[str] = []
    initiate = server.initiate

    def paused_meanwhile(request: Any) -> Any:
        answer = initiate(request)
        if len(server.sessions) == 1:
            core.jobs.pause(ids[0])
        return answer

    server.initiate = paused_meanwhile  # type: ignore[method-assign]
    with core_with_fakes(tmp_path, server, FakeUploader()) as core:
        sign_in(core)
        if not early:
            core.stages.lookups.start = lambda *args: None  # type: ignore[method-assign]
        (job,) = core.add_files([videos["mp4"]])
        ids.append(job.id)
        core.runner.start()
        wait_until(lambda: server.sessions, 10, "no session was asked for")
        first = next(iter(server.sessions))
        wait_until(lambda: first in server.cancelled, 5, "the unused session stayed open")
        assert core.jobs.get(job.id).state == "paused", "the pause was undone"
        core.jobs.resume(job.id)
        wait_until(lambda: core.jobs.get(job.id).state == "done", 20, "resumed, never done")


def test_removing_an_uploading_job_frees_its_session(
    core: DaemonCore, videos: dict[str, Path]
) -> None:
    """The session's cancel, queued when the job is cancelled on its way out, is sent
    even though the job itself is gone by then."""
    server = core.client()
    assert isinstance(server, FakeServer)
    (job,) = core.add_files([videos["mp4"]])
    for state in (S.PROBING, S.INITIATING):
        core.store.update(job.id, state=state)
    core.store.update(job.id, state=S.UPLOADING, session_key="s1")
    core.jobs.remove(job.id)
    core.runner.start()
    wait_until(lambda: server.cancelled == ["s1"], 5, "the removed job's session stayed open")


def test_a_cancel_while_the_server_is_unreachable_still_says_cancelled(
    tmp_path: Path, videos: dict[str, Path]
) -> None:
    server = FakeServer()
    ids: list[str] = []

    def cancelled_then_down(request: Any) -> Any:
        core.jobs.cancel(ids[0])
        raise ServerUnavailable("the server did not answer")

    server.initiate = cancelled_then_down  # type: ignore[method-assign]
    with core_with_fakes(tmp_path, server, FakeUploader()) as core:
        sign_in(core)
        core.stages.lookups.start = lambda *args: None  # type: ignore[method-assign]
        (job,) = core.add_files([videos["mp4"]])
        ids.append(job.id)
        core.runner.start()
        says_cancelled_for_good(core, job.id)


class CancelledAsTheStoreFails(FakeUploader):
    """The store fails, and the user cancels just after the uploader looked at the cancel
    and before it says it will try the store again (the real uploader's order)."""

    def __init__(self, cancel_job: Any) -> None:
        super().__init__()
        self.cancel_job = cancel_job

    def upload(self, path: Path, target: Any, **kw: Any) -> Any:
        self.cancel_job()
        kw["on_retry"]("storage did not answer", 5.0)
        if kw["cancel"].wait(5):
            raise TransferCancelled()
        raise AssertionError("the run was never told of the cancel")


@pytest.mark.parametrize("told", [True, False], ids=["run-told", "not-told-yet"])
def test_a_cancel_as_the_store_fails_still_says_cancelled(
    tmp_path: Path, videos: dict[str, Path], told: bool
) -> None:
    """``not-told-yet``: the cancel is committed, and the run not yet told of it (the
    service writes the state first, then interrupts the run)."""
    ids: list[str] = []

    def cancel() -> None:
        if told:
            core.jobs.cancel(ids[0])
            return
        core.store.update(
            ids[0],
            state=S.CANCELLED,
            by_user=True,
            error_code="cancelled",
            error_message="cancelled",
        )

    uploader = CancelledAsTheStoreFails(cancel)
    with core_with_fakes(tmp_path, FakeServer(), uploader) as core:
        sign_in(core)
        (job,) = core.add_files([videos["mp4"]])
        ids.append(job.id)
        core.runner.start()
        says_cancelled_for_good(core, job.id)


def test_a_run_that_breaks_the_state_machine_by_itself_is_marked_failed(
    core: DaemonCore, videos: dict[str, Path]
) -> None:
    """An illegal move nobody else caused is a bug like any other, not a user's change."""
    runs: list[float] = []

    def run(job_id: str, cancel: threading.Event) -> None:
        runs.append(time.monotonic())
        raise IllegalTransition(S.QUEUED, S.DONE)

    core.stages.run = run  # type: ignore[method-assign]
    core.runner.start()
    (job,) = core.add_files([videos["mp4"]])
    wait_until(lambda: core.jobs.get(job.id).state == "failed", 5, "not shown failed")
    time.sleep(0.5)
    assert len(runs) == 1


def test_a_job_that_cannot_even_be_marked_failed_waits_instead_of_spinning(
    core: DaemonCore, videos: dict[str, Path]
) -> None:
    """The database refuses the write (a full disk): the job stays queued, and the thread's
    end must not start the same failure again at once, hundreds of times a second."""
    runs = failing_stages(core)
    disk_full_for(core, S.FAILED)
    core.runner.start()
    (job,) = core.add_files([videos["mp4"]])
    wait_until(lambda: runs, 5, "the job never started")
    time.sleep(1.0)
    assert len(runs) == 1, f"restarted {len(runs) - 1} times in a second"
    core.jobs.pause(job.id)  # the user steps in: resuming runs it now, not in 5 s
    core.jobs.resume(job.id)
    wait_until(lambda: len(runs) == 2, 2, "the resumed job waited out its hold")


def test_a_call_whose_answer_cannot_be_recorded_is_made_again_and_holds_up_no_other(
    core: DaemonCore,
) -> None:
    """Three jobs' calls are answered: the first job was removed meanwhile (nothing left to
    record: delivered), the second's record fails (a full disk: the call is made again
    later, the server takes it twice), the third goes in the same pass."""
    factory: sessionmaker[Session] = core.store.factory
    with factory() as db:
        for job_id, key in (("gone", "s1"), ("disk-full", "s2"), ("other", "s3")):
            db.add(OutboxEntry(job_id=job_id, kind="cancel", payload={"sessionKey": key}))
        db.commit()
    sent: list[str] = []

    def record(entry: OutboxEntry, _result: Any) -> None:
        if entry.job_id == "gone":
            raise JobNotFound("gone")
        if entry.job_id == "disk-full":
            raise OSError(28, "No space left on device")

    delivered = Outbox(factory).deliver_due(
        {"cancel": lambda p: sent.append(p["sessionKey"])}, record, lambda e, m: None
    )
    assert sent == ["s1", "s2", "s3"] and delivered == 2
    (again,) = Outbox(factory).pending()
    assert again.job_id == "disk-full" and again.next_attempt_at > utcnow()


def test_a_job_whose_done_could_not_be_recorded_ends_done_all_the_same(
    core: DaemonCore, videos: dict[str, Path]
) -> None:
    refused = disk_full_for(core, S.DONE, times=1)
    core.runner.start()
    (job,) = core.add_files([videos["mp4"]])
    wait_until(lambda: refused, 20, "the upload never completed")
    wait_until(lambda: core.jobs.get(job.id).state == "done", 10, "left completing for good")


def test_a_cancel_committed_while_a_run_writes_is_never_overwritten(
    core: DaemonCore, videos: dict[str, Path]
) -> None:
    """The user's cancel arrives on another thread while a run's write is under way: it
    waits for that write and then stands, rather than being overwritten by it."""
    (job,) = core.add_files([videos["mp4"]])
    core.store.update(job.id, state=S.PROBING)
    cancelled = threading.Event()

    def user_cancels_meanwhile(_db: Session, _job: object) -> None:
        def cancel() -> None:
            core.jobs.cancel(job.id)
            cancelled.set()

        threading.Thread(target=cancel).start()
        time.sleep(0.3)  # the run's write still under way

    core.store.update(job.id, state=S.INITIATING, also=user_cancels_meanwhile)
    assert cancelled.wait(10), "the cancel never went through"
    assert core.jobs.get(job.id).state == "cancelled", "the run's write overwrote the cancel"
