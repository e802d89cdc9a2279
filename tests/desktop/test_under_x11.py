"""`reeldrop` on a real X server (Xvfb): the window appears by its title, the daemon is
started for it, and a second `reeldrop gui` raises the first instead of opening another."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.control.client import ControlClient
from tests.support.daemon import home_dirs, wait_until

pytestmark = pytest.mark.slow
TOOLS = ("Xvfb", "xwininfo")


@pytest.fixture
def x_display() -> Iterator[str]:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{missing} missing: run scripts/ensure-system-deps.sh")
        pytest.skip(f"{missing} not installed (scripts/ensure-system-deps.sh installs them)")
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()
        assert number, "Xvfb did not report its display"
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def window_ids(display: str, title: str) -> list[str]:
    tree = subprocess.run(
        ["xwininfo", "-root", "-tree"],
        env={**os.environ, "DISPLAY": display},
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout
    return [line.split()[0] for line in tree.splitlines() if f'"{title}"' in line]


def test_reeldrop_opens_the_window_on_x11(x_display: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {
        **os.environ,
        "DISPLAY": x_display,
        "QT_QPA_PLATFORM": "xcb",
        "REELDROP_HOME": str(home),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    env.pop("WAYLAND_DISPLAY", None)
    app = subprocess.Popen(
        [sys.executable, "-m", "reeldrop"],  # no arguments: a display is present, so the window
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    client: ControlClient | None = None
    try:
        wait_until(lambda: window_ids(x_display, "ReelDrop"), 120, "no window titled ReelDrop")
        wait_until(
            lambda: ControlClient.from_runtime_dir(home_dirs(home)).ping(),
            120,
            "the app did not start the daemon",
        )
        client = ControlClient.from_runtime_dir(home_dirs(home))
        second = subprocess.run(
            [sys.executable, "-m", "reeldrop", "gui"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert second.returncode == 0, second.stderr
        assert "already running" in second.stdout
        assert app.poll() is None
        assert len(window_ids(x_display, "ReelDrop")) >= 1
    finally:
        app.terminate()
        try:
            app.wait(timeout=30)
        except subprocess.TimeoutExpired:
            app.kill()
            app.wait()
        with contextlib.suppress(Exception):
            (client or ControlClient.from_runtime_dir(home_dirs(home))).shutdown()
        control = home_dirs(home).runtime / "control.json"
        wait_until(lambda: not control.exists(), 60, "the daemon did not stop")
