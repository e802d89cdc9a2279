"""What the pipeline needs from the media server, as a Protocol: ``ServerClient`` is the
real one; in-process tests drive the pipeline with a fake that implements the same calls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from shared.api_schemas import (
    B2UploadKey,
    CompleteRequest,
    InitiateRequest,
    InitiateResponse,
    MediaFileOut,
    ProgressOut,
    ProgressReport,
)
from shared.policy import Policy


class MediaApi(Protocol):
    on_reachable: Callable[[bool], None] | None

    def policy(self) -> Policy: ...
    def initiate(self, request: InitiateRequest) -> InitiateResponse: ...
    def report_progress(self, session_key: str, report: ProgressReport) -> ProgressOut: ...
    def complete(self, request: CompleteRequest) -> MediaFileOut: ...
    def cancel_session(self, session_key: str) -> None: ...
    def fresh_credentials(self, session_key: str) -> B2UploadKey: ...
    def process(self, media_id: str) -> MediaFileOut: ...
