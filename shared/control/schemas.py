"""Wire schemas of the daemon's loopback control API (camelCase), for the CLI and window.

Job states and their groupings live in ``shared.control.states``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from shared.control.states import JobState


class ControlModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


JobSource = Literal["cli", "window", "watch"]


class JobError(ControlModel):
    """Why a job is waiting, rejected or failed: a stable code and a sentence for people."""

    code: str
    message: str


class JobView(ControlModel):
    id: str
    path: str
    filename: str
    state: JobState
    bytes_sent: int = 0
    total_bytes: int = 0
    speed_bps: float | None = None
    eta_seconds: int | None = None
    media_file_id: str | None = None
    cdn_url: str | None = None
    thumbnail_path: str | None = None
    course_id: str | None = None
    error: JobError | None = None
    duplicate_of: str | None = None
    source: JobSource = "cli"
    watch_folder: str | None = None
    created_at: datetime
    updated_at: datetime


class ConnectivityView(ControlModel):
    """Whether the daemon can reach the server (and its store) right now."""

    server: Literal["ok", "unreachable", "unknown"] = "unknown"
    message: str | None = None
    retry_at: datetime | None = None


class JobEvent(ControlModel):
    type: Literal["job", "jobRemoved", "account", "settings", "connectivity", "folder"]
    job: JobView | None = None
    data: dict[str, Any] | None = None


class AddJobsRequest(ControlModel):
    paths: list[str] = Field(min_length=1)
    course_id: str | None = None
    source: JobSource = "cli"
    watch_folder: str | None = None


class LoginRequest(ControlModel):
    server_url: str
    email: str
    password: str
    insecure_storage: bool = False


AccountState = Literal["signed_in", "signed_out", "expired"]


class AccountView(ControlModel):
    signed_in: bool
    state: AccountState = "signed_out"
    server_url: str | None = None
    email: str | None = None
    user_id: str | None = None
    token_storage: str | None = None  # "keyring", "file", "memory"
    notice: str | None = None


class SignOutView(AccountView):
    """The account after ``logout``, and whether the server ended the sign-in there too:
    ``None`` when there was no sign-in to end, ``False`` when the server could not be
    reached or refused (the sign-in is forgotten here and expires there by itself)."""

    revoked_on_server: bool | None = None


class SettingsView(ControlModel):
    bandwidth_limit: str = "0"
    concurrent_uploads: int = 2


class StatusView(ControlModel):
    jobs: list[JobView]
    account: AccountView
    settings: SettingsView
    connectivity: ConnectivityView = Field(default_factory=ConnectivityView)


class FolderView(ControlModel):
    """A watched folder as the CLI and window show it."""

    path: str
    course_id: str | None = None
    recursive: bool = True
    after_upload: Literal["keep", "move"] = "keep"
    state: Literal["watching", "scanning", "polling", "missing", "error"] = "watching"
    error: str | None = None
    waiting: int = 0  # files waiting for their writer to finish


class WatchRequest(ControlModel):
    path: str = Field(min_length=1)
    course_id: str | None = None
    recursive: bool = True
    after_upload: Literal["keep", "move"] = "keep"
