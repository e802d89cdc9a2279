"""A real daemon process with its own REELDROP_HOME, driven like a user would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from shared.app_dirs import AppDirs
from shared.control.client import ControlClient
from shared.control.schemas import JobView
from shared.control.states import TERMINAL_STATES


def home_dirs(home: Path) -> AppDirs:
    return AppDirs(
        config=home / "config", data=home / "data", logs=home / "logs", runtime=home / "run"
    )


class DaemonProcess:
    started: ClassVar[list[DaemonProcess]] = []  # stopped at session end, whatever happened

    def __init__(
        self,
        home: Path,
        env: dict[str, str] | None = None,
        *,
        command: list[str] | None = None,
        base_env: dict[str, str] | None = None,
    ) -> None:
        """``command`` runs ReelDrop (default: this interpreter's ``-m reeldrop``; a frozen
        bundle's executable for bundle tests); ``base_env`` replaces the inherited env."""
        self.home = home
        self.command = command or [sys.executable, "-m", "reeldrop"]
        self.env = {
            **(os.environ if base_env is None else base_env),
            "REELDROP_HOME": str(home),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
            **(env or {}),
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30) -> DaemonProcess:
        control = home_dirs(self.home).runtime / "control.json"
        control.unlink(missing_ok=True)
        self.proc = subprocess.Popen(
            [*self.command, "daemon"],
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        DaemonProcess.started.append(self)
        try:
            wait_until(
                lambda: control.exists() and self.client().ping(),
                timeout,
                "the daemon did not start",
            )
        except AssertionError:
            self.stop()
            raise
        return self

    def client(self) -> ControlClient:
        return ControlClient.from_runtime_dir(home_dirs(self.home))

    def cli(
        self, *args: str, stdin: str | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.command, *args],
            env=self.env,
            input=stdin,
            text=True,
            capture_output=True,
            timeout=timeout,
        )

    def login(self, server_url: str, email: str, password: str, *extra: str) -> None:
        result = self.cli(
            "login",
            "--server",
            server_url,
            "--email",
            email,
            "--password-stdin",
            *extra,
            stdin=password + "\n",
        )
        assert result.returncode == 0, result.stderr

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def job(self, job_id: str) -> JobView:
        return self.client().job(job_id)

    def wait_for_job(
        self, job_id: str, states: set[str] | None = None, timeout: float = 120
    ) -> JobView:
        wanted = states or set(TERMINAL_STATES)
        wait_until(
            lambda: self.job(job_id).state in wanted,
            timeout,
            f"job {job_id} never reached {sorted(wanted)}",
        )
        return self.job(job_id)


def wait_until(condition: Callable[[], Any], timeout: float, message: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except Exception:
            pass
        time.sleep(0.05)
    raise AssertionError(message)
