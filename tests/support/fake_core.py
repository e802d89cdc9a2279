"""A real ``DaemonCore`` on a real SQLite database, with fakes of the server and the
uploader (the same Protocols as the real parts): the in-process daemon of the fast tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import daemon.jobs.models  # noqa: F401 - registers the tables
from daemon.core.core import DaemonCore
from daemon.db import create_schema, make_engine, make_session_factory
from daemon.settings import Settings
from tests.support.fakes import FakeServer, FakeUploader


@contextmanager
def core_with_fakes(tmp: Path, server: FakeServer, uploader: FakeUploader) -> Iterator[DaemonCore]:
    """Not signed in yet (``sign_in`` below), its scheduler not started."""
    engine = make_engine(tmp / "daemon.sqlite")
    create_schema(engine)
    core = DaemonCore(
        make_session_factory(engine),
        settings=Settings(),
        settings_path=tmp / "settings.json",
        data_dir=tmp / "data",
        thumbs_dir=tmp / "thumbs",
        make_client=lambda url, store: _adopt(server, store),
        uploader=lambda _limiter: uploader,
    )
    try:
        yield core
    finally:
        core.stop()
        engine.dispose()


def sign_in(core: DaemonCore) -> None:
    core.account.sign_in("http://fake", "me@example.edu", "pw", insecure=True)


def _adopt(server: FakeServer, store: object) -> FakeServer:
    server.token_store = store
    return server


def started_jobs(core: DaemonCore) -> list[tuple[str, float]]:
    """Replace the stages with a recorder of (job id, when it started); each job's thread
    then holds until the scheduler stops (a thread that ended would wake it)."""
    started: list[tuple[str, float]] = []

    def hold(job_id: str, cancel: threading.Event) -> None:
        started.append((job_id, time.monotonic()))
        cancel.wait(30)

    core.stages.run = hold  # type: ignore[method-assign]
    return started
