"""Serve the control API on loopback only and publish how to reach it to this user only."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import threading
from pathlib import Path
from types import FrameType

import uvicorn
from fastapi import FastAPI

CONTROL_FILE = "control.json"


def bind_loopback(port: int = 0) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(64)
    return sock


def write_control_file(runtime_dir: Path, port: int, token: str) -> Path:
    """``{"port", "token", "pid"}``, mode 0600, replaced atomically."""
    runtime_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = runtime_dir / CONTROL_FILE
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump({"port": port, "token": token, "pid": os.getpid()}, handle)
    os.replace(tmp, path)
    return path


class QuietServer(uvicorn.Server):
    """uvicorn, minus its main loop's tick: that wakes ten times a second, all day, to look
    for a stop and to refresh the Date header. This one sleeps until ``stop`` and sends
    neither Date nor Server headers (nothing on loopback reads them)."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._stopping: tuple[asyncio.AbstractEventLoop, asyncio.Event] | None = None

    async def main_loop(self) -> None:
        await self.on_tick(0)  # sets the (constant) default headers once
        stopping = asyncio.Event()
        self._stopping = (asyncio.get_running_loop(), stopping)
        if not self.should_exit:  # ``stop`` may have come before the event existed
            await stopping.wait()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        """A signal, where uvicorn handles them (its main thread): no tick would see it."""
        super().handle_exit(sig, frame)
        self.stop()

    def stop(self) -> None:
        """From any thread: the loop ends, and uvicorn shuts down as after its own tick."""
        self.should_exit = True
        if self._stopping is not None:
            loop, stopping = self._stopping
            with contextlib.suppress(RuntimeError):  # stopped before: its loop is closed
                loop.call_soon_threadsafe(stopping.set)


class ControlServer:
    def __init__(self, app: FastAPI, sock: socket.socket) -> None:
        self.sock = sock
        self.server = QuietServer(
            uvicorn.Config(
                app,
                # asyncio's own loop on every system, whatever else is installed: a few
                # requests an hour need nothing faster (uvloop is for the server's uploads).
                loop="asyncio",
                log_level="warning",
                access_log=False,
                lifespan="off",
                timeout_graceful_shutdown=2,
                date_header=False,
                server_header=False,
            )
        )
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [sock]}, name="control-api", daemon=True
        )

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.stop()
        self.thread.join(timeout=5)
