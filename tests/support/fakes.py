"""Fakes for fast in-process tests of the daemon core and pipeline. They implement the same
Protocols as the real parts (``MediaApi``, ``Uploader``), modelled on b2sdk's RawSimulator:
state in memory, the same answers and errors."""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from daemon.serverapi.errors import ServerUnavailable
from daemon.transfer.errors import TransferCancelled
from daemon.transfer.meter import ProgressCallback
from daemon.transfer.part_stream import FileWatch
from daemon.transfer.target import UploadTarget
from daemon.transfer.uploader import RetryCallback, UploadResult
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

PART = 5 * 1024 * 1024


def _key() -> B2UploadKey:
    return B2UploadKey(
        realm_url="http://store.invalid",
        key_id="key",
        application_key="secret",
        bucket_name="bucket",
        bucket_id="bucket-id",
        name_prefix="videos/u/",
        expires_at=datetime.now(UTC) + timedelta(hours=1),
    )


class FakeMediaApi:
    """The media server's upload calls; ``down`` makes every call fail as unreachable."""

    def __init__(self, policy: Policy | None = None) -> None:
        self.on_reachable: Callable[[bool], None] | None = None
        self._policy = policy or Policy()
        self.down = False
        self.sessions: dict[str, InitiateRequest] = {}
        self.media: dict[str, MediaFileOut] = {}
        self.cancelled: list[str] = []
        self.reports: list[int] = []
        self.completed: list[CompleteRequest] = []
        self.initiated: list[InitiateRequest] = []

    def _up(self) -> None:
        if self.down:
            raise ServerUnavailable("the server at http://fake did not answer (ConnectError)")

    def policy(self) -> Policy:
        self._up()
        return self._policy

    def initiate(self, request: InitiateRequest) -> InitiateResponse:
        self._up()
        self.initiated.append(request)
        for media in self.media.values():
            if request.content_sha1 and media.content_sha1 == request.content_sha1:
                return InitiateResponse(duplicate=True, media_file_id=media.id, media_file=media)
        if request.check_size_first and not request.content_sha1:
            sizes = {m.file_size for m in self.media.values() if m.content_sha1}
            if request.file_size in sizes:
                return InitiateResponse(same_size_in_library=True)
        key = uuid.uuid4().hex
        self.sessions[key] = request
        return InitiateResponse(
            session_key=key,
            storage_key=f"videos/u/{key}/{request.filename}",
            thumbnail_key=f"videos/u/{key}/thumb.jpg",
            b2=_key(),
            part_size=PART,
        )

    def report_progress(self, session_key: str, report: ProgressReport) -> ProgressOut:
        self._up()
        self.reports.append(report.bytes_uploaded)
        request = self.sessions[session_key]
        return ProgressOut(
            session_key=session_key,
            status="uploading",
            bytes_uploaded=report.bytes_uploaded,
            total_bytes=request.file_size,
            upload_progress=report.bytes_uploaded / request.file_size,
            expires_at=datetime.now(UTC) + timedelta(hours=1),
        )

    def complete(self, request: CompleteRequest) -> MediaFileOut:
        self._up()
        initiated = self.sessions[request.session_key]
        self.completed.append(request)
        now = datetime.now(UTC)
        media = MediaFileOut(
            id=uuid.uuid4().hex[:12],
            user_id="u",
            filename=initiated.filename,
            file_type="video",
            mime_type=initiated.content_type,
            file_size=initiated.file_size,
            storage_provider="b2",
            bucket="bucket",
            storage_key=request.storage_key,
            cdn_url=f"http://cdn.invalid/{request.storage_key}",
            status="pending",
            content_sha1=request.content_sha1,
            created_at=now,
            updated_at=now,
        )
        self.media[media.id] = media
        return media

    def cancel_session(self, session_key: str) -> None:
        self._up()
        self.cancelled.append(session_key)

    def fresh_credentials(self, session_key: str) -> B2UploadKey:
        self._up()
        return _key()

    def process(self, media_id: str) -> MediaFileOut:
        self._up()
        return self.media[media_id]


class FakeUploader:
    """Stores parts in memory per large file; ``script`` may act between parts (change the
    file, cancel, fail)."""

    def __init__(self) -> None:
        self.large_files: dict[str, set[int]] = {}
        self.finished: set[str] = set()
        self.started = 0
        self.wire = 0
        self.between_parts: Callable[[int], None] = lambda _n: None
        self.new_sessions: list[bool] = []  # ``new_session`` of each upload call

    def upload(
        self,
        path: Path,
        target: UploadTarget,
        *,
        content_type: str,
        content_sha1: str | None,
        resume_large_file_id: str | None,
        on_large_file_started: Callable[[str], None],
        on_progress: ProgressCallback,
        refresh_target: Callable[[], UploadTarget],
        cancel: threading.Event,
        watch: FileWatch | None = None,
        on_retry: RetryCallback | None = None,
        new_session: bool = False,
    ) -> UploadResult:
        self.new_sessions.append(new_session)
        watch = watch or FileWatch.now(path)
        large_id = resume_large_file_id
        if large_id in self.finished:
            return UploadResult(str(large_id), watch.size, content_sha1, large_id, 0, True)
        if large_id not in self.large_files:
            self.started += 1
            large_id = f"large-{self.started}"
            self.large_files[large_id] = set()
        on_large_file_started(large_id)
        stored = self.large_files[large_id]
        parts = max(1, -(-watch.size // target.part_size))
        done = sum(min(target.part_size, watch.size - (n - 1) * target.part_size) for n in stored)
        wire = 0
        on_progress(done, wire)
        for n in range(1, parts + 1):
            if n in stored:
                continue
            self.between_parts(n)
            if cancel.is_set():
                raise TransferCancelled()
            watch.check()
            length = min(target.part_size, watch.size - (n - 1) * target.part_size)
            stored.add(n)
            done, wire = done + length, wire + length
            self.wire += length
            on_progress(done, wire)
        self.finished.add(large_id)
        # Like the real one: a file sent in one request has its SHA-1 (it followed the
        # bytes); one sent in parts only the one it was given.
        whole = hashlib.sha1(path.read_bytes()).hexdigest() if parts == 1 else None
        sha1 = content_sha1 or whole
        return UploadResult(large_id, watch.size, sha1, large_id, wire)

    def upload_small(
        self, path: Path, target: UploadTarget, storage_key: str, content_type: str
    ) -> UploadResult:
        return UploadResult("thumb", path.stat().st_size, "", None, 0)

    def cancel_large_file(self, target: UploadTarget, large_file_id: str) -> None:
        self.large_files.pop(large_file_id, None)


class FakeServer(FakeMediaApi):
    """A whole ``ServerClient`` stand-in (sign-in and library too), made like the real one:
    ``FakeServer(base_url, token_store)``; every instance shares ``FakeServer.shared``."""

    shared: FakeServer | None = None

    def __init__(self, base_url: str = "http://fake", token_store: object = None) -> None:
        super().__init__()
        self.base_url, self.token_store = base_url, token_store
        self.user = None
        self.revoked: list[str] = []
        self.valid_tokens: set[str] = set()

    def login(self, email: str, password: str) -> None:
        token = uuid.uuid4().hex
        self.valid_tokens.add(token)
        self.token_store.save(token)  # type: ignore[attr-defined]

    def refresh(self) -> None:
        from daemon.serverapi.errors import NotSignedIn

        if self.token_store.load() not in self.valid_tokens:  # type: ignore[attr-defined]
            raise NotSignedIn("the sign-in expired or was revoked; sign in again")

    def revoke(self, refresh_token: str) -> None:
        self.revoked.append(refresh_token)

    def logout(self) -> None:
        self.revoked.append(self.token_store.load())  # type: ignore[attr-defined]
        self.token_store.clear()  # type: ignore[attr-defined]

    def close(self) -> None:
        pass

    def courses(self) -> list[object]:
        return []
