"""A second daemon for the same user refuses to start; other users are not affected."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from daemon.instance_lock import AlreadyRunning, InstanceLock
from tests.support.daemon import DaemonProcess, home_dirs

pytestmark = pytest.mark.slow


def test_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    first = InstanceLock(tmp_path).acquire()
    with pytest.raises(AlreadyRunning, match=r"already running for this user \(pid \d+\)"):
        InstanceLock(tmp_path).acquire()
    first.release()
    InstanceLock(tmp_path).acquire().release()
    assert (tmp_path / "daemon.lock").stat().st_mode & 0o077 == 0


def _second_daemon(daemon: DaemonProcess) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reeldrop", "daemon"],
        env=daemon.env, capture_output=True, text=True, timeout=120,
    )


def test_second_daemon_refuses_and_the_first_keeps_serving(tmp_path: Path) -> None:
    first = DaemonProcess(tmp_path / "home").start()
    control = home_dirs(first.home).runtime / "control.json"
    before = json.loads(control.read_text())
    try:
        second = _second_daemon(first)
        assert second.returncode == 1
        assert "another ReelDrop daemon is already running for this user" in second.stderr
        assert f"pid {first.proc.pid}" in second.stderr  # type: ignore[union-attr]
        assert "Traceback" not in second.stderr
        assert json.loads(control.read_text()) == before  # not overwritten by the loser
        assert first.client().ping()
    finally:
        first.stop()


def test_lock_dies_with_a_killed_daemon(tmp_path: Path) -> None:
    first = DaemonProcess(tmp_path / "home").start()
    first.kill9()
    again = DaemonProcess(tmp_path / "home").start()
    try:
        assert again.client().ping()
    finally:
        again.stop()


def test_two_users_each_run_their_own_daemon(tmp_path: Path) -> None:
    alice = DaemonProcess(tmp_path / "alice").start()
    try:
        bob = DaemonProcess(tmp_path / "bob").start()
        try:
            assert alice.client().ping() and bob.client().ping()
        finally:
            bob.stop()
    finally:
        alice.stop()
