"""The one client of the daemon's control API, used by the CLI, the window and the tests.

The wire schemas (pydantic models) are imported on the first answer that needs one, not
with this module; ``reeldrop upload`` needs none at all: it reads its jobs as ``JobLine``s
(``job_lines``, ``job_line_events``)."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from shared.app_dirs import AppDirs, app_dirs
from shared.control import MAX_JOB_IDS
from shared.control.job_line import JobLine
from shared.control.transport import (
    NOT_RUNNING,
    ControlError,
    ControlTransport,
    DaemonNotRunning,
    DaemonUnavailable,
    DaemonUnresponsive,
)
from shared.url_path import segment

if TYPE_CHECKING:
    from shared.control.schemas import (
        AccountView,
        FolderView,
        JobEvent,
        JobView,
        SignOutView,
        StatusView,
    )

CONTROL_FILE = "control.json"
__all__ = [
    "CONTROL_FILE",
    "ControlClient",
    "ControlError",
    "DaemonNotRunning",
    "DaemonUnavailable",
    "DaemonUnresponsive",
    "job_lines_of",
    "jobs_of",
]


def _schemas() -> ModuleType:
    from shared.control import schemas

    return schemas


def jobs_of(answer: dict[str, Any]) -> list[JobView]:
    """The job views of an answer that lists jobs."""
    job = _schemas().JobView
    return [job.model_validate(j) for j in answer["jobs"]]


def job_lines_of(answer: dict[str, Any], only: Collection[str] | None = None) -> list[JobLine]:
    """The jobs of an answer that lists jobs, as a terminal shows them; with ``only``, just
    the jobs of those ids (the others are not read at all)."""
    return [JobLine.from_json(j) for j in answer["jobs"] if only is None or j["id"] in only]


class ControlClient:
    def __init__(self, base_url: str, token: str, *, timeout: float = 30) -> None:
        self.base_url = base_url
        self._token, self._timeout = token, timeout
        self._http = ControlTransport(base_url, token, timeout)

    @classmethod
    def from_runtime_dir(cls, dirs: AppDirs | None = None, *, timeout: float = 30) -> ControlClient:
        path = (dirs or app_dirs()).runtime / CONTROL_FILE
        try:
            info = json.loads(Path(path).read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            raise DaemonNotRunning(NOT_RUNNING) from None
        return cls(f"http://127.0.0.1:{info['port']}", info["token"], timeout=timeout)

    def another(self) -> ControlClient:
        """A second client of the same daemon with its own connections (for a long-lived
        event stream beside requests)."""
        return ControlClient(self.base_url, self._token, timeout=self._timeout)

    def close(self) -> None:
        """End the event streams this client has open (a reader's loop then ends)."""
        self._http.close()

    def _request(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None
    ) -> Any:
        return self._http.request(method, path, params=params, json_body=json)

    def ping(self) -> bool:
        try:
            self._request("GET", "/v1/account")
        except (DaemonUnavailable, ControlError):
            return False
        return True

    # -- jobs ------------------------------------------------------------------------------

    def status(self) -> StatusView:
        return _schemas().StatusView.model_validate(self._request("GET", "/v1/status"))

    def jobs(self) -> list[JobView]:
        return jobs_of(self._request("GET", "/v1/jobs"))

    def job_lines(self, only: Collection[str] | None = None) -> list[JobLine]:
        """The jobs (``only`` those ids) as a terminal shows them, without the schemas.
        The daemon is asked for those jobs alone (up to ``MAX_JOB_IDS``; more, and
        it sends them all to be picked from)."""
        asked = only is not None and len(only) <= MAX_JOB_IDS
        params = {"id": sorted(only)} if only is not None and asked else None
        return job_lines_of(self._request("GET", "/v1/jobs", params=params), only)

    def job(self, job_id: str) -> JobView:
        job: JobView = _schemas().JobView.model_validate(
            self._request("GET", f"/v1/jobs/{segment(job_id)}")
        )
        return job

    def add(
        self,
        paths: list[str],
        course_id: str | None = None,
        source: str = "cli",
        watch_folder: str | None = None,
    ) -> list[JobView]:
        return jobs_of(self.add_unread(paths, course_id, source, watch_folder))

    def add_unread(
        self,
        paths: list[str],
        course_id: str | None = None,
        source: str = "cli",
        watch_folder: str | None = None,
    ) -> dict[str, Any]:
        """``add``, its answer not yet read into views (``jobs_of``): a command hands its
        files over before it loads the wire schemas, whose import costs more CPU than the
        rest of its start."""
        body = {"paths": paths, "courseId": course_id, "source": source}
        if watch_folder is not None:
            body["watchFolder"] = watch_folder
        answer: dict[str, Any] = self._request("POST", "/v1/jobs", json=body)
        return answer

    def act(self, action: str, job_id: str | None = None) -> list[JobView]:
        """``pause``, ``resume``, ``cancel`` or ``retry`` one job, or all (no ``job_id``)."""
        path = f"/v1/jobs/{segment(job_id)}/{action}" if job_id else f"/v1/all/{action}"
        return jobs_of(self._request("POST", path))

    def remove_job(self, job_id: str) -> None:
        self._request("DELETE", f"/v1/jobs/{segment(job_id)}")

    def clear(self, all: bool = False) -> int:
        """Remove finished jobs (``all``: failed, rejected and cancelled too); how many."""
        answer = self._request("POST", "/v1/jobs/clear", params={"all": str(all).lower()})
        return int(answer["removed"])

    # -- settings and sign-in --------------------------------------------------------------

    def settings(self) -> dict[str, str]:
        return dict(self._request("GET", "/v1/settings"))

    def set_setting(self, key: str, value: str) -> dict[str, str]:
        return dict(self._request("PUT", "/v1/settings", json={key: value}))

    def login(
        self, server_url: str, email: str, password: str, insecure_storage: bool = False
    ) -> AccountView:
        return _schemas().AccountView.model_validate(
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

    def logout(self) -> SignOutView:
        return _schemas().SignOutView.model_validate(self._request("POST", "/v1/logout"))

    def account(self) -> AccountView:
        return _schemas().AccountView.model_validate(self._request("GET", "/v1/account"))

    # -- library ---------------------------------------------------------------------------

    def media(
        self, page: int = 1, limit: int = 50, type: str | None = None, status: str | None = None
    ) -> dict[str, Any]:
        """The server's list answer: ``items``, ``page``, ``limit``, ``total``."""
        params: dict[str, Any] = {"page": page, "limit": limit}
        if type:
            params["type"] = type
        if status:
            params["status"] = status
        return dict(self._request("GET", "/v1/media", params=params))

    def media_file(self, media_id: str) -> dict[str, Any]:
        return dict(self._request("GET", f"/v1/media/{segment(media_id)}"))

    def delete_media(self, media_id: str) -> dict[str, Any]:
        return dict(self._request("DELETE", f"/v1/media/{segment(media_id)}"))

    def courses(self) -> list[dict[str, Any]]:
        return list(self._request("GET", "/v1/courses")["courses"])

    def attach(self, media_id: str, video_id: str) -> dict[str, Any]:
        return dict(
            self._request(
                "POST", f"/v1/media/{segment(media_id)}/attach", json={"videoId": video_id}
            )
        )

    # -- daemon ----------------------------------------------------------------------------

    def shutdown(self) -> None:
        self._request("POST", "/v1/shutdown")

    def events(self, timeout: float | None = None) -> Iterator[JobEvent | None]:
        """Events as they happen; ``None`` for each heartbeat (about every 15 s)."""
        event = _schemas().JobEvent
        for data in self._event_data(timeout):
            yield None if data is None else event.model_validate_json(data)

    def job_line_events(
        self, timeout: float | None = None, only: Collection[str] | None = None
    ) -> Iterator[JobLine | None]:
        """Each job (``only`` those ids) as an event shows it changed, as a terminal shows
        it; ``None`` for a heartbeat or an event about something else (the account, a
        setting, another job)."""
        for data in self._event_data(timeout):
            job = json.loads(data).get("job") if data is not None else None
            if job and (only is None or job.get("id") in only):
                yield JobLine.from_json(job)
            else:
                yield None

    def _event_data(self, timeout: float | None) -> Iterator[str | None]:
        """The event stream's data lines (JSON), ``None`` for each heartbeat."""
        for line in self._http.lines("/v1/events", read_timeout=timeout or 60):
            if line.startswith("data: "):
                yield line[6:]
            elif line.startswith(":"):
                yield None

    # -- watched folders -------------------------------------------------------------------

    def watch_list(self) -> list[FolderView]:
        folder = _schemas().FolderView
        return [folder.model_validate(f) for f in self._request("GET", "/v1/watch")["folders"]]

    def watch_add(
        self,
        path: str,
        course_id: str | None = None,
        recursive: bool = True,
        after_upload: str = "keep",
    ) -> FolderView:
        body = {
            "path": path,
            "courseId": course_id,
            "recursive": recursive,
            "afterUpload": after_upload,
        }
        return _schemas().FolderView.model_validate(self._request("POST", "/v1/watch", json=body))

    def watch_remove(self, path: str) -> None:
        self._request("DELETE", "/v1/watch", params={"path": path})
