"""Prometheus metrics of one server process: uploads, processing, requests and the store.

Counters and histograms live in this module's registry (one per process, as each of N
processes is scraped on its own). Figures that belong to the shared database (bytes stored,
queue depth) are read from it at scrape time, so every process reports the same truth.
"""

from __future__ import annotations

import ipaddress
import secrets
import time
from collections.abc import Iterator

from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.api.errors import ApiError

REGISTRY = CollectorRegistry()

UPLOADS_INITIATED = Counter(
    "reeldrop_uploads_initiated_total", "Upload sessions opened", registry=REGISTRY
)
UPLOADS_COMPLETED = Counter(
    "reeldrop_uploads_completed_total", "Uploads completed into a media file", registry=REGISTRY
)
UPLOADS_FAILED = Counter(
    "reeldrop_uploads_failed_total",
    "Uploads that did not complete, by reason (the error code the client got, or cancelled)",
    ["reason"],
    registry=REGISTRY,
)
UPLOADS_EXPIRED = Counter(
    "reeldrop_uploads_expired_total", "Upload sessions expired", ["reason"], registry=REGISTRY
)
PROCESSING_DURATION = Histogram(
    "reeldrop_processing_duration_seconds",
    "Time to probe one stored video",
    ["outcome"],
    buckets=(0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600),
    registry=REGISTRY,
)
REQUEST_DURATION = Histogram(
    "reeldrop_http_request_duration_seconds",
    "Request latency by route template",
    ["method", "route", "status"],
    registry=REGISTRY,
)
STORE_OPERATIONS = Counter(
    "reeldrop_store_operations_total",
    "Calls to the embedded B2 store, by operation and HTTP status",
    ["operation", "status"],
    registry=REGISTRY,
)
STORE_BYTES_RECEIVED = Counter(
    "reeldrop_store_bytes_received_total",
    "Bytes the embedded store received in uploads",
    registry=REGISTRY,
)


class DatabaseFigures(Collector):
    """Storage growth and queue depth, read from the shared database when scraped."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from server.db.models import MediaFile, ProcessingJob

        with self._factory() as db:
            count, size = db.execute(
                select(
                    func.count(MediaFile.id), func.coalesce(func.sum(MediaFile.file_size), 0)
                ).where(MediaFile.deleted_at.is_(None))
            ).one()
            queued = db.execute(
                select(ProcessingJob.state, func.count(ProcessingJob.id))
                .where(ProcessingJob.state.in_(("queued", "running")))
                .group_by(ProcessingJob.state)
            ).all()
        yield GaugeMetricFamily(
            "reeldrop_media_bytes_stored", "Bytes of media files not deleted", value=float(size)
        )
        yield GaugeMetricFamily(
            "reeldrop_media_files_stored", "Media files not deleted", value=float(count)
        )
        depth = GaugeMetricFamily(
            "reeldrop_processing_queue_depth",
            "Processing jobs waiting or running",
            labels=["state"],
        )
        by_state = dict(queued)
        for state in ("queued", "running"):
            depth.add_metric([state], float(by_state.get(state, 0)))
        yield depth


def _loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class RequestTimer:
    """Times every request by its route template and status, as plain ASGI: Starlette's
    ``BaseHTTPMiddleware`` runs each body read of an upload through a task group, which
    cost the store's receive path a sixth of its time."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def timed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, timed_send)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            REQUEST_DURATION.labels(scope.get("method", ""), template, str(status)).observe(
                time.perf_counter() - started
            )


def install_metrics(app: FastAPI, factory: sessionmaker[Session], token: str | None) -> None:
    """``GET /metrics``: with ``REELDROP_METRICS_TOKEN`` set, for that bearer token only;
    without it, for loopback callers only (metrics are never public)."""
    figures = CollectorRegistry()
    figures.register(DatabaseFigures(factory))

    app.add_middleware(RequestTimer)

    @app.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        if token:
            sent = request.headers.get("authorization", "")
            if not secrets.compare_digest(sent.encode(), f"Bearer {token}".encode()):
                raise ApiError(401, "unauthorized", "metrics need the metrics bearer token")
        elif not _loopback(request):
            raise ApiError(403, "forbidden", "metrics are served to loopback callers only")
        body = generate_latest(REGISTRY) + generate_latest(figures)
        return Response(body, media_type=CONTENT_TYPE_LATEST)
