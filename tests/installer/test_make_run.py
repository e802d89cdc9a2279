"""`make run` without a display: the whole stack comes up, says it is headless, works from
the CLI, and Ctrl-C (here SIGTERM) stops all of it."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from shared.control.client import ControlClient
from tests.support.daemon import home_dirs, wait_until
from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _lines(stream: object, into: queue.Queue[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        into.put(line)


def _read_until(lines: queue.Queue[str], marker: str, timeout: float) -> str:
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            seen.append(lines.get(timeout=1))
        except queue.Empty:
            continue
        if marker in seen[-1]:
            return "".join(seen)
    raise AssertionError(f"never printed {marker!r}; got:\n{''.join(seen)}")


def test_make_run_headless_stack(tmp_path: Path, videos: dict[str, Path]) -> None:
    port = free_port()
    dev = tmp_path / "dev"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(REELDROP_DEV_DIR=str(dev), REELDROP_PORT=str(port))
    env.pop("REELDROP_HOME", None)
    proc = subprocess.Popen(
        ["bash", str(ROOT / "scripts" / "run-local.sh")], env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_lines, args=(proc.stdout, lines), daemon=True).start()
    home = dev / "client"
    try:
        out = _read_until(lines, "Press Ctrl-C to stop.", 240)
        assert "ReelDrop is running." in out
        assert "No display (DISPLAY and WAYLAND_DISPLAY are unset): staying up headless." in out
        assert f"export REELDROP_HOME={home}" in out
        client = ControlClient.from_runtime_dir(home_dirs(home))
        assert client.account().signed_in
        courses = client.courses()
        assert len(courses) == 1 and len(courses[0]["videos"]) == 3
        upload = subprocess.run(
            [sys.executable, "-m", "reeldrop", "upload", "--wait", str(videos["mp4"])],
            env={**env, "REELDROP_HOME": str(home)}, capture_output=True, text=True,
            timeout=300,
        )
        assert upload.returncode == 0, upload.stderr
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=90)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert "ReelDrop stopped." in _read_until(lines, "ReelDrop stopped.", 30)
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
    wait_until(
        lambda: not (home_dirs(home).runtime / "control.json").exists(), 60,
        "the daemon kept running after make run stopped",
    )
