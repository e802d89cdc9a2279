"""The bridge against a real daemon process: snapshot, events, the daemon going away."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.bridge import LOST, NOT_RUNNING, STARTING, DaemonBridge
from shared.control.client import ControlClient
from tests.support.daemon import DaemonProcess, home_dirs

pytestmark = pytest.mark.slow


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def bridge(home: Path) -> Iterator[DaemonBridge]:
    made = DaemonBridge(lambda: ControlClient.from_runtime_dir(home_dirs(home)), delays=(0.1,))
    yield made
    made.stop()


def test_reports_a_missing_daemon_then_connects_when_it_starts(
    qtbot: QtBot, home: Path, bridge: DaemonBridge
) -> None:
    with qtbot.waitSignal(bridge.daemonDown, timeout=30_000) as down:
        bridge.start()
    assert down.args == [NOT_RUNNING]
    assert not bridge.is_up
    daemon = DaemonProcess(home)
    try:
        with qtbot.waitSignal(bridge.connected, timeout=120_000) as up:
            daemon.start()
        assert up.args[0].jobs == []
        assert up.args[0].account.signed_in is False
        assert bridge.is_up
        assert bridge.client().account().signed_in is False
    finally:
        daemon.stop()


def test_job_events_and_a_daemon_that_dies(
    qtbot: QtBot, home: Path, bridge: DaemonBridge, videos: dict[str, Path]
) -> None:
    daemon = DaemonProcess(home).start()
    try:
        with qtbot.waitSignal(bridge.connected, timeout=60_000):
            bridge.start()
        with qtbot.waitSignal(
            bridge.jobChanged,
            timeout=60_000,
            check_params_cb=lambda job: job.filename == "lecture.mp4",
        ):
            bridge.client().add([str(videos["mp4"])])
        with qtbot.waitSignal(bridge.daemonDown, timeout=60_000) as down:
            daemon.kill9()
        assert down.args == [LOST]
        assert not bridge.is_up
        with qtbot.waitSignal(bridge.connected, timeout=120_000) as up:
            daemon.start()
        assert [job.filename for job in up.args[0].jobs] == ["lecture.mp4"]
    finally:
        daemon.stop()


def test_starts_the_daemon_once_when_asked(qtbot: QtBot, home: Path) -> None:
    daemon = DaemonProcess(home)
    starts: list[bool] = []

    def start_daemon() -> None:
        starts.append(True)
        daemon.start()

    bridge = DaemonBridge(
        lambda: ControlClient.from_runtime_dir(home_dirs(home)),
        start_daemon=start_daemon,
        delays=(0.1,),
    )
    messages: list[str] = []
    bridge.daemonDown.connect(messages.append)
    try:
        with qtbot.waitSignal(bridge.connected, timeout=120_000):
            bridge.start()
        assert starts == [True]
        assert messages[:2] == [NOT_RUNNING, STARTING]
    finally:
        bridge.stop()
        daemon.stop()


def test_a_stopped_bridge_stays_quiet(qtbot: QtBot, home: Path, bridge: DaemonBridge) -> None:
    daemon = DaemonProcess(home).start()
    try:
        with qtbot.waitSignal(bridge.connected, timeout=60_000):
            bridge.start()
        pump = bridge._pump
        assert pump is not None
        bridge.stop()
        with qtbot.assertNotEmitted(bridge.daemonDown, wait=500):
            daemon.stop()
        qtbot.waitUntil(lambda: not pump.is_running(), timeout=60_000)
    finally:
        daemon.stop()
