"""The watcher's only way into the daemon's jobs: hand a ready file over, record a file it
gave up on, learn a job's outcome. Kept to this small protocol so the watcher does not
depend on how the job pipeline is built."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from daemon.core.core import DaemonCore
from daemon.core.errors import InvalidRequest, JobNotFound
from daemon.core.events import Subscription
from daemon.jobs.models import Job
from daemon.serverapi.errors import NotSignedIn, ServerRejected, ServerUnavailable
from shared.control.states import JobState


class Refused(Exception):
    """The daemon will not take this file as given (e.g. the folder's course is not the
    user's); the watcher records it as rejected with this reason."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


class JobSink(Protocol):
    def submit(self, path: Path, course_id: str | None, folder: str) -> str: ...

    def reject(
        self, path: Path, course_id: str | None, folder: str, code: str, message: str
    ) -> str: ...

    def content_sha1(self, job_id: str) -> str | None: ...

    def job_state(self, job_id: str) -> str | None: ...

    def subscribe(self) -> Subscription: ...

    def unsubscribe(self, subscription: Subscription) -> None: ...

    def announce_folder(self, data: dict[str, Any]) -> None: ...


class CoreJobSink:
    """``JobSink`` over the daemon core: jobs it adds say ``source: watch`` and their folder."""

    def __init__(self, core: DaemonCore) -> None:
        self.core = core

    def submit(self, path: Path, course_id: str | None, folder: str) -> str:
        """Raises Refused for a request the core turns down; other errors mean "later"."""
        try:
            jobs = self.core.add_files([path], course_id, source="watch", watch_folder=folder)
        except InvalidRequest as exc:
            raise Refused(exc.code, exc.message) from None
        if not jobs:
            raise Refused("unsupported_format", f"{path.name} is not a video the server accepts")
        return jobs[0].id

    def reject(
        self, path: Path, course_id: str | None, folder: str, code: str, message: str
    ) -> str:
        """A job that starts and ends rejected: the user sees the file and the reason."""
        size = path.stat().st_size if path.exists() else 0
        store = self.core.store
        with store.factory() as db:
            job = Job(
                path=str(path),
                filename=path.name,
                course_id=course_id,
                state=JobState.REJECTED,
                error_code=code,
                error_message=message,
                total_bytes=size,
                source="watch",
                watch_folder=folder,
            )
            db.add(job)
            db.commit()
        self.core.bus.job(store.view(job))
        return job.id

    def content_sha1(self, job_id: str) -> str | None:
        """The SHA-1 of what a job uploaded: its own record, or (a large file, whose parts
        were hashed one by one) what the server's processing measured of the stored file."""
        try:
            job = self.core.store.get(job_id)
        except JobNotFound:
            return None
        if job.content_sha1 or not job.media_file_id:
            return job.content_sha1
        client = self.core.client()
        if client is None:
            return None
        try:
            sha1 = client.get_media(job.media_file_id).content_sha1
        except (ServerRejected, ServerUnavailable, NotSignedIn):
            return None  # cannot confirm now; the server's duplicate check still can
        if sha1:
            self.core.store.update(job_id, content_sha1=sha1)
        return sha1

    def job_state(self, job_id: str) -> str | None:
        try:
            return str(self.core.store.get(job_id).state)
        except JobNotFound:
            return None

    def subscribe(self) -> Subscription:
        return self.core.bus.subscribe()

    def unsubscribe(self, subscription: Subscription) -> None:
        self.core.bus.unsubscribe(subscription)

    def announce_folder(self, data: dict[str, Any]) -> None:
        self.core.bus.data("folder", data)
