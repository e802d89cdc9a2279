"""Routes of the control API. Every request needs the bearer token and a loopback Host."""

from __future__ import annotations

import asyncio
import hmac
import json
import queue
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from daemon.control.account import AccountManager
from daemon.serverapi.errors import NotSignedIn, ServerRejected, ServerUnavailable
from daemon.service import DaemonService
from daemon.settings import SettingError, Settings, parse_rate, save_settings
from shared.control.schemas import AddJobsRequest, LoginRequest, SettingsView, StatusView


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def build_control_app(
    service: DaemonService,
    accounts: AccountManager,
    settings: Settings,
    settings_path: Path,
    token: str,
    port_ref: list[int],
    shutdown: Any,
) -> FastAPI:
    app = FastAPI(
        title="ReelDrop daemon control API", docs_url=None, redoc_url=None, openapi_url=None
    )

    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Response:
        host = request.headers.get("host", "")
        if host not in {f"127.0.0.1:{port_ref[0]}", f"localhost:{port_ref[0]}"}:
            return _error(403, "bad_host", "requests must come to 127.0.0.1 on this port")
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return _error(401, "unauthorized", "missing or wrong control token")
        try:
            return await call_next(request)
        except KeyError:
            return _error(404, "not_found", "no such job")
        except SettingError as exc:
            return _error(422, "invalid_setting", str(exc))
        except NotSignedIn as exc:
            return _error(401, "not_signed_in", str(exc))
        except ServerRejected as exc:
            return _error(exc.status if exc.status < 500 else 502, exc.code, exc.message)
        except ServerUnavailable as exc:
            return _error(503, "server_unavailable", str(exc))

    def settings_view() -> SettingsView:
        return SettingsView(
            bandwidth_limit=settings.bandwidth_limit, concurrent_uploads=settings.concurrent_uploads
        )

    def dump(model: Any) -> Any:
        if isinstance(model, list):
            return [m.model_dump(mode="json", by_alias=True) for m in model]
        return model.model_dump(mode="json", by_alias=True)

    @app.get("/v1/status")
    def status() -> Any:
        return dump(
            StatusView(jobs=service.list_jobs(), account=accounts.view(), settings=settings_view())
        )

    @app.get("/v1/jobs")
    def jobs() -> Any:
        return {"jobs": dump(service.list_jobs())}

    @app.post("/v1/jobs")
    def add_jobs(body: AddJobsRequest) -> Any:
        added = service.add_files([Path(p) for p in body.paths], body.course_id)
        return {"jobs": dump(added)}

    @app.get("/v1/jobs/{job_id}")
    def job(job_id: str) -> Any:
        return dump(service.get_job(job_id))

    actions = {
        "pause": service.pause,
        "resume": service.resume,
        "cancel": service.cancel,
        "retry": service.retry,
    }

    @app.post("/v1/jobs/{job_id}/{action}")
    def one(job_id: str, action: str) -> Any:
        if action not in actions:
            return _error(404, "not_found", f"unknown action {action}")
        return {"jobs": dump(actions[action](job_id))}

    @app.post("/v1/all/{action}")
    def every(action: str) -> Any:
        if action not in actions:
            return _error(404, "not_found", f"unknown action {action}")
        return {"jobs": dump(actions[action](None))}

    @app.get("/v1/settings")
    def get_settings() -> Any:
        return settings.as_dict()

    @app.put("/v1/settings")
    def put_settings(body: dict[str, str]) -> Any:
        for key, value in body.items():
            settings.set(key, str(value))
        save_settings(settings_path, settings)
        service.set_bandwidth_limit(parse_rate(settings.bandwidth_limit))
        service.set_concurrent_uploads(settings.concurrent_uploads)
        return settings.as_dict()

    @app.post("/v1/login")
    def login(body: LoginRequest) -> Any:
        return dump(
            accounts.sign_in(body.server_url, body.email, body.password, body.insecure_storage)
        )

    @app.post("/v1/logout")
    def logout() -> Any:
        return dump(accounts.sign_out())

    @app.get("/v1/account")
    def account() -> Any:
        return dump(accounts.view())

    def signed_in_client() -> Any:
        client = service.client()
        if client is None:
            raise NotSignedIn("sign in first")
        return client

    @app.get("/v1/media")
    def media(page: int = 1, limit: int = 20) -> Any:
        return dump(signed_in_client().list_media(page=page, limit=limit))

    @app.get("/v1/courses")
    def courses() -> Any:
        return {"courses": dump(signed_in_client().courses())}

    @app.post("/v1/media/{media_id}/attach")
    def attach(media_id: str, body: dict[str, str]) -> Any:
        return signed_in_client().attach(media_id, body.get("videoId", ""))

    @app.post("/v1/shutdown")
    def stop() -> Any:
        shutdown()
        return {"stopping": True}

    @app.get("/v1/events")
    async def events() -> StreamingResponse:
        subscription = service.store.subscribe()

        async def stream() -> AsyncIterator[bytes]:
            try:
                yield b": connected\n\n"
                while True:
                    try:
                        event = await asyncio.to_thread(subscription.get, True, 15)
                    except queue.Empty:
                        yield b": heartbeat\n\n"
                        continue
                    payload = json.dumps(event.model_dump(mode="json", by_alias=True))
                    yield f"data: {payload}\n\n".encode()
            finally:
                service.store.unsubscribe(subscription)

        return StreamingResponse(
            stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
        )

    return app
