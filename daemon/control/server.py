"""Serve the control API on loopback only and publish how to reach it to this user only."""

from __future__ import annotations

import json
import os
import socket
import threading
from pathlib import Path

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


class ControlServer:
    def __init__(self, app: FastAPI, sock: socket.socket) -> None:
        self.sock = sock
        self.server = uvicorn.Server(
            uvicorn.Config(
                app,
                log_level="warning",
                access_log=False,
                lifespan="off",
                timeout_graceful_shutdown=2,
            )
        )
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [sock]}, name="control-api", daemon=True
        )

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)
