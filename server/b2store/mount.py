"""Serve the embedded store from the media server's own app, on the same origin."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from server.b2store.bootstrap import ensure_master_key, record_served_url, sweep_leftovers
from server.b2store.context import StoreContext
from server.b2store.http_routes import build_router
from server.b2store.stats import UploadStats


def mount_embedded_store(app: FastAPI, data_dir: Path, public_url: str) -> StoreContext:
    ctx = StoreContext.open(data_dir, public_url)
    ensure_master_key(ctx)
    record_served_url(ctx)
    sweep_leftovers(ctx)
    app.include_router(build_router(ctx, UploadStats()))
    app.state.b2store = ctx
    return ctx
