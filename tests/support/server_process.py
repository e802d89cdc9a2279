"""A real ``reeldrop server serve`` process, as an operator runs one (several may share a DB)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import ClassVar

import httpx

from tests.support.api import PASSWORD
from tests.support.ports import free_port

SERVE = [sys.executable, "-m", "reeldrop", "server", "serve"]


class ServerProcess:
    started: ClassVar[list[ServerProcess]] = []  # stopped at session end, whatever happened

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data_dir / "server.log"
        self.env = {**os.environ, "REELDROP_PUBLIC_URL": self.url, **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 120) -> ServerProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [*SERVE, "--data-dir", str(self.data_dir), "--port", str(self.port)],
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        ServerProcess.started.append(self)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited at start: {self.tail()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=5).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the server did not answer in {timeout} s: {self.tail()}")

    def wait_exit(self, timeout: float = 60) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout=timeout)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=30)

    def add_user(self, role: str = "instructor") -> str:
        """Add a user as an operator does (``reeldrop server user add``); its email."""
        email = f"{role}-{secrets.token_hex(5)}@example.edu"
        added = subprocess.run(
            [*SERVE[:-1], "user", "add", email, "--role", role, "--password-stdin"],
            input=PASSWORD + "\n",
            env={**self.env, "REELDROP_DATA_DIR": str(self.data_dir)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert added.returncode == 0, added.stderr
        return email

    def tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-2000:]
        except OSError:
            return ""
