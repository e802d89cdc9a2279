"""The FastAPI application: routes, error shape, storage, background workers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from fastapi import FastAPI

from server.api import auth_routes, course_routes, media_routes, upload_routes
from server.api.errors import install_error_handlers
from server.api.request_guard import RequestGuard
from server.config import Settings
from server.db.engine import make_engine, make_session_factory
from server.db.migrate import upgrade
from server.metrics import install_metrics
from server.private_files import private_dir
from server.services.processing import ProcessingWorker, Processor
from server.services.reaper import Reaper
from server.storage.base import StorageService
from shared import __version__

log = logging.getLogger(__name__)


def default_storage(app: FastAPI, settings: Settings) -> StorageService:
    """Real B2 when BB_* credentials are set; otherwise the embedded store on this server."""
    from server.storage.b2_service import B2StorageService

    if settings.embedded_storage:
        from server.b2store.mount import mount_embedded_store

        mount_embedded_store(app, settings.data_dir, settings.public_url)
        return B2StorageService.for_embedded(
            settings.data_dir, settings.public_url, settings.cdn_url
        )
    return B2StorageService.from_settings(settings)


def create_app(
    settings: Settings,
    storage: StorageService | None = None,
    *,
    processor: Processor | None = None,
    run_background: bool = False,
    migrate: bool = True,
    reaper_interval: float = 60.0,
) -> FastAPI:
    """Build the app. ``run_background`` starts the processing worker and session reaper."""
    private_dir(settings.data_dir)
    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    factory = make_session_factory(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        loop = type(asyncio.get_running_loop())
        log.info("event loop: %s.%s", loop.__module__, loop.__qualname__)
        workers: list[Any] = []
        if run_background:
            worker = ProcessingWorker(
                factory,
                app.state.storage,
                processor,
                lease=timedelta(seconds=settings.processing_lease_seconds),
            )
            app.state.worker = worker
            workers = [worker, Reaper(factory, app.state.storage, reaper_interval)]
            for w in workers:
                w.start()
        yield
        for w in workers:
            w.stop()
        engine.dispose()

    app = FastAPI(
        title="ReelDrop media API",
        version=__version__,
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = factory
    app.state.worker = None
    install_error_handlers(app)
    install_metrics(app, factory, settings.metrics_token)
    app.add_middleware(RequestGuard, jwt_secret=settings.jwt_secret)
    for router in (
        auth_routes.router,
        upload_routes.router,
        media_routes.router,
        course_routes.router,
    ):
        app.include_router(router)

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, Any]:
        return {"success": True, "data": {"status": "ok", "version": __version__}}

    app.state.storage = storage if storage is not None else default_storage(app, settings)
    return app
