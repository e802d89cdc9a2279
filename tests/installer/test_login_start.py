"""A daemon started at login before the keyring is ready waits for it, quietly, and signs
back in by itself; its status says what it waits for instead of "signed out"."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from daemon.startup import WAITING_NOTICE, start_when_ready
from tests.support.api import PASSWORD, add_user
from tests.support.daemon import DaemonProcess, wait_until
from tests.support.live_server import LiveServer, live_server

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("login-server"), run_background=True) as live:
        yield live


@pytest.mark.slow
def test_daemon_waits_for_a_late_keyring_then_signs_back_in(
    server: LiveServer, tmp_path: Path
) -> None:
    ready = tmp_path / "keyring-ready"
    env = {
        "PYTHON_KEYRING_BACKEND": "tests.support.late_keyring.LateKeyring",
        "PYTHONPATH": str(ROOT),
        "REELDROP_TEST_KEYRING_READY": str(ready),
        "REELDROP_TEST_KEYRING_FILE": str(tmp_path / "keyring.json"),
    }
    ready.touch()
    daemon = DaemonProcess(tmp_path / "home", env).start()
    daemon.login(server.url, add_user(server), PASSWORD)
    assert daemon.client().account().token_storage == "keyring"
    daemon.stop()

    ready.unlink()  # next login: the keyring comes up after the daemon
    daemon.start()
    try:
        account = daemon.client().account()
        assert not account.signed_in
        assert account.notice == WAITING_NOTICE
        time.sleep(8)  # several retries' worth: none of them may log again
        log = (tmp_path / "home" / "logs" / "daemon.log").read_text()
        assert log.count("keyring is not available yet") == 1
        assert "Traceback" not in log
        ready.touch()
        wait_until(lambda: daemon.client().account().signed_in, 120, "never signed back in")
        account = daemon.client().account()
        assert account.state == "signed_in" and account.notice != WAITING_NOTICE
        assert "the keyring is available after" in (
            tmp_path / "home" / "logs" / "daemon.log"
        ).read_text()
    finally:
        daemon.stop()


def test_start_is_immediate_when_nothing_needs_waiting() -> None:
    started: list[str] = []
    stop = threading.Event()
    assert start_when_ready(lambda: started.append("now"), False, stop) is None
    assert started == ["now"]
    assert start_when_ready(lambda: started.append("ready"), True, stop,
                            ready=lambda: True) is None
    assert started == ["now", "ready"]


def test_stopping_while_waiting_never_starts() -> None:
    started: list[str] = []
    notices: list[str | None] = []
    stop = threading.Event()
    thread = start_when_ready(
        lambda: started.append("x"), True, stop, on_wait=notices.append,
        ready=lambda: False, pauses=(0.01,),
    )
    assert thread is not None
    stop.set()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert started == [] and notices == [WAITING_NOTICE]


@pytest.mark.slow
def test_daemon_started_before_the_network_is_quiet_and_uploads_once_it_is_back(
    tmp_path: Path, videos: dict[str, Path]
) -> None:
    from tests.support.ports import free_port

    port, data = free_port(), tmp_path / "server"
    daemon = DaemonProcess(tmp_path / "home")
    with live_server(data, port=port, run_background=True) as live:
        daemon.start()
        daemon.login(live.url, add_user(live), PASSWORD, "--insecure-storage")
        daemon.stop()
    daemon.start()  # the server (the network) is not there yet
    try:
        job = daemon.client().add([str(videos["mp4"])])[0]
        time.sleep(15)
        log = (tmp_path / "home" / "logs" / "daemon.log").read_text()
        since_start = log[log.rindex("listening on"):]
        assert len(since_start.splitlines()) <= 12, since_start
        assert "Traceback" not in since_start
        assert daemon.job(job.id).state not in ("failed", "rejected")
        with live_server(data, port=port, run_background=True):
            assert daemon.wait_for_job(job.id, timeout=180).state == "done"
    finally:
        daemon.stop()
