"""The one client of the daemon's control API, used by the CLI and the window."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from shared.app_dirs import AppDirs, app_dirs
from shared.control.schemas import AccountView, JobEvent, JobView, StatusView

CONTROL_FILE = "control.json"
NOT_RUNNING = "ReelDrop daemon is not running; start it with `reeldrop daemon`"


class DaemonNotRunning(Exception):
    pass


class ControlError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class ControlClient:
    def __init__(self, base_url: str, token: str, *, timeout: float = 30) -> None:
        self.base_url = base_url
        self._http = httpx.Client(
            base_url=base_url, timeout=timeout, headers={"Authorization": f"Bearer {token}"}
        )

    @classmethod
    def from_runtime_dir(cls, dirs: AppDirs | None = None) -> ControlClient:
        path = (dirs or app_dirs()).runtime / CONTROL_FILE
        try:
            info = json.loads(Path(path).read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            raise DaemonNotRunning(NOT_RUNNING) from None
        return cls(f"http://127.0.0.1:{info['port']}", info["token"])

    def close(self) -> None:
        self._http.close()

    def _request(self, method: str, path: str, **kw: Any) -> Any:
        try:
            response = self._http.request(method, path, **kw)
        except httpx.TransportError:
            raise DaemonNotRunning(NOT_RUNNING) from None
        if response.status_code >= 400:
            try:
                error = response.json()["error"]
            except (ValueError, KeyError, TypeError):
                error = {"code": "error", "message": response.text[:200]}
            raise ControlError(response.status_code, error["code"], error["message"])
        return response.json()

    def ping(self) -> bool:
        try:
            self._request("GET", "/v1/account")
        except (DaemonNotRunning, ControlError):
            return False
        return True

    def status(self) -> StatusView:
        return StatusView.model_validate(self._request("GET", "/v1/status"))

    def jobs(self) -> list[JobView]:
        return [JobView.model_validate(j) for j in self._request("GET", "/v1/jobs")["jobs"]]

    def job(self, job_id: str) -> JobView:
        return JobView.model_validate(self._request("GET", f"/v1/jobs/{job_id}"))

    def add(self, paths: list[str], course_id: str | None = None) -> list[JobView]:
        body = {"paths": paths, "courseId": course_id}
        return [
            JobView.model_validate(j) for j in self._request("POST", "/v1/jobs", json=body)["jobs"]
        ]

    def act(self, action: str, job_id: str | None = None) -> list[JobView]:
        path = f"/v1/jobs/{job_id}/{action}" if job_id else f"/v1/all/{action}"
        return [JobView.model_validate(j) for j in self._request("POST", path)["jobs"]]

    def settings(self) -> dict[str, str]:
        return dict(self._request("GET", "/v1/settings"))

    def set_setting(self, key: str, value: str) -> dict[str, str]:
        return dict(self._request("PUT", "/v1/settings", json={key: value}))

    def login(
        self, server_url: str, email: str, password: str, insecure_storage: bool = False
    ) -> AccountView:
        return AccountView.model_validate(
            self._request(
                "POST",
                "/v1/login",
                json={
                    "serverUrl": server_url,
                    "email": email,
                    "password": password,
                    "insecureStorage": insecure_storage,
                },
            )
        )

    def logout(self) -> AccountView:
        return AccountView.model_validate(self._request("POST", "/v1/logout"))

    def account(self) -> AccountView:
        return AccountView.model_validate(self._request("GET", "/v1/account"))

    def media(self, page: int = 1, limit: int = 50) -> dict[str, Any]:
        return dict(self._request("GET", "/v1/media", params={"page": page, "limit": limit}))

    def courses(self) -> list[dict[str, Any]]:
        return list(self._request("GET", "/v1/courses")["courses"])

    def attach(self, media_id: str, video_id: str) -> dict[str, Any]:
        return dict(
            self._request("POST", f"/v1/media/{media_id}/attach", json={"videoId": video_id})
        )

    def shutdown(self) -> None:
        self._request("POST", "/v1/shutdown")

    def events(self, timeout: float | None = None) -> Iterator[JobEvent | None]:
        """Events as they happen; ``None`` for each heartbeat (about every 15 s)."""
        try:
            with self._http.stream(
                "GET", "/v1/events", timeout=httpx.Timeout(10, read=timeout or 60)
            ) as response:
                for line in response.iter_lines():
                    if line.startswith("data: "):
                        yield JobEvent.model_validate_json(line[6:])
                    elif line.startswith(":"):
                        yield None
        except httpx.TransportError:
            raise DaemonNotRunning(NOT_RUNNING) from None
