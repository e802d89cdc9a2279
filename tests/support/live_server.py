"""The real media server (API + embedded B2 store) served over HTTP in a background thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

from server.app import create_app
from server.config import Settings
from server.receive_window import WindowedHttpToolsProtocol
from tests.support.ports import free_port


@dataclass
class LiveServer:
    url: str
    app: FastAPI
    settings: Settings
    data_dir: Path

    @property
    def session_factory(self) -> Any:
        return self.app.state.session_factory


@contextmanager
def serve_app(app: FastAPI, port: int) -> Iterator[None]:
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            http=WindowedHttpToolsProtocol,
            lifespan="on",
        )
    )
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@contextmanager
def live_server(
    data_dir: Path,
    *,
    database_url: str | None = None,
    env: dict[str, str] | None = None,
    port: int | None = None,
    **app_options: Any,
) -> Iterator[LiveServer]:
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    environment = {"REELDROP_PUBLIC_URL": url, **(env or {})}
    if database_url:
        environment["DATABASE_URL"] = database_url
    settings = Settings.from_env(environment, data_dir=data_dir, port=port)
    app = create_app(settings, **app_options)
    with serve_app(app, port):
        yield LiveServer(url=url, app=app, settings=settings, data_dir=data_dir)
