"""Start the daemon in the background when a command needs it and it is not running."""

from __future__ import annotations

import os
import subprocess
import time

from shared.control.client import ControlClient, DaemonNotRunning
from shared.resources import app_command


def connect() -> ControlClient | None:
    try:
        client = ControlClient.from_runtime_dir()
    except DaemonNotRunning:
        return None
    return client if client.ping() else None


def spawn_daemon() -> None:
    """Start ``reeldrop daemon`` in the background, detached from this process."""
    subprocess.Popen(
        [*app_command(background=True), "daemon"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env=os.environ.copy(),
        close_fds=True,
    )


def ensure_daemon(timeout: float = 30) -> ControlClient:
    client = connect()
    if client is not None:
        return client
    spawn_daemon()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        client = connect()
        if client is not None:
            return client
        time.sleep(0.1)
    raise DaemonNotRunning("the ReelDrop daemon did not start; see its log in the log folder")
