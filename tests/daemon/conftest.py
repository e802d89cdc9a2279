"""The whole stack for daemon tests: a real server with its embedded store (in this process,
over HTTP) and real daemon processes, each with its own REELDROP_HOME."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.api import PASSWORD, add_user
from tests.support.daemon import DaemonProcess
from tests.support.live_server import LiveServer, live_server

STACK_ENV = {"MAX_VIDEO_DURATION_SECONDS": "30"}


@pytest.fixture(scope="module")
def stack_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("stack"), env=STACK_ENV, run_background=True) as live:
        yield live


@dataclass
class SignedIn:
    daemon: DaemonProcess
    email: str
    server: LiveServer


@pytest.fixture
def signed_in(stack_server: LiveServer, tmp_path: Path) -> Iterator[SignedIn]:
    """A daemon process signed in as a fresh instructor (sign-in kept in a private file)."""
    email = add_user(stack_server)
    daemon = DaemonProcess(tmp_path / "home").start()
    try:
        daemon.login(stack_server.url, email, PASSWORD, "--insecure-storage")
        yield SignedIn(daemon, email, stack_server)
    finally:
        daemon.stop()


@pytest.fixture(scope="session")
def long_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real video padded to five parts of the server's default part size."""
    from tests.videos import make_video

    return make_video(
        tmp_path_factory.mktemp("long") / "long lecture.mp4", seconds=4, size_bytes=26_000_000
    )
