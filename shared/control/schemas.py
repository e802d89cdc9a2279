"""Wire schemas of the daemon's loopback control API (camelCase), for the CLI and window."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class ControlModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class JobView(ControlModel):
    id: str
    path: str
    filename: str
    state: str
    bytes_sent: int = 0
    total_bytes: int = 0
    speed_bps: float | None = None
    eta_seconds: int | None = None
    media_file_id: str | None = None
    course_id: str | None = None
    error: str | None = None
    error_code: str | None = None
    duplicate_of: str | None = None
    created_at: datetime
    updated_at: datetime


class JobEvent(ControlModel):
    type: Literal["job", "account", "settings"]
    job: JobView | None = None
    data: dict[str, Any] | None = None


class AddJobsRequest(ControlModel):
    paths: list[str] = Field(min_length=1)
    course_id: str | None = None


class LoginRequest(ControlModel):
    server_url: str
    email: str
    password: str
    insecure_storage: bool = False


class AccountView(ControlModel):
    signed_in: bool
    server_url: str | None = None
    email: str | None = None
    user_id: str | None = None
    token_storage: str | None = None  # "keyring", "file", "memory"
    notice: str | None = None


class SettingsView(ControlModel):
    bandwidth_limit: str = "0"
    concurrent_uploads: int = 2


class StatusView(ControlModel):
    jobs: list[JobView]
    account: AccountView
    settings: SettingsView
