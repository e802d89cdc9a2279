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
from daemon.jobs.models import OutboxEntry
from daemon.jobs.states import JobState as S
from daemon.outbox import Outbox
from daemon.transfer.errors import TransferError
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


def test_a_job_that_cannot_even_be_marked_failed_waits_instead_of_spinning(
    core: DaemonCore, videos: dict[str, Path]
) -> None:
    """The database refuses the write (a full disk): the job stays queued, and the thread's
    end must not start the same failure again at once, hundreds of times a second."""
    runs = failing_stages(core)
    update = core.store.update

    def disk_full(job_id: str, **changes: Any) -> Any:
        if changes.get("state") == S.FAILED:
            raise OSError(28, "No space left on device")
        return update(job_id, **changes)

    core.store.update = disk_full  # type: ignore[method-assign]
    core.runner.start()
    core.add_files([videos["mp4"]])
    wait_until(lambda: runs, 5, "the job never started")
    time.sleep(1.0)
    assert len(runs) == 1, f"restarted {len(runs) - 1} times in a second"


def test_an_answer_that_cannot_be_applied_holds_up_no_other_call(
    core: DaemonCore,
) -> None:
    """The job of a delivered call is gone (removed meanwhile): the call counts as
    delivered, and the next job's call goes in the same pass."""
    factory: sessionmaker[Session] = core.store.factory
    with factory() as db:
        for job_id, key in (("gone", "s1"), ("other", "s2")):
            db.add(OutboxEntry(job_id=job_id, kind="cancel", payload={"sessionKey": key}))
        db.commit()
    sent: list[str] = []

    def applied(entry: OutboxEntry, _result: Any) -> None:
        if entry.job_id == "gone":
            raise LookupError("no such job")

    delivered = Outbox(factory).deliver_due(
        {"cancel": lambda p: sent.append(p["sessionKey"])}, applied, lambda e, m: None
    )
    assert sent == ["s1", "s2"] and delivered == 2
    assert Outbox(factory).pending() == []
