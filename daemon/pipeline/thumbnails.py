"""Thumbnails grabbed, and sent, while the video is sent: ffmpeg's seek and decode (tens of
ms to a few hundred on a long lecture) stays off the way to the first part, and the upload
of the thumbnail off the way from the last part to ``complete``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from daemon.jobs.models import Job
from daemon.jobs.store import JobStore
from shared.media.errors import MediaError
from shared.media.thumbnail import make_thumbnail
from shared.policy import Policy

log = logging.getLogger(__name__)
WAIT_SECONDS = 120.0  # ffmpeg is bounded by the file it reads; never hold a job forever


Send = Callable[[Path], bool]


@dataclass(frozen=True)
class Thumbnail:
    path: str | None  # None: it could not be made
    sent: bool = False


class Thumbnails:
    def __init__(self, store: JobStore, folder: Path, policy: Callable[[], Policy]) -> None:
        self.store, self.folder, self.policy = store, folder, policy
        self._pool = ThreadPoolExecutor(2, thread_name_prefix="thumbnail")
        self._pending: dict[str, Future[Thumbnail]] = {}

    def start(self, job: Job, send: Send) -> None:
        """Begin grabbing ``job``'s thumbnail, then ``send`` it, unless one is on its way.
        A thumbnail made by an earlier run is sent again (the session may be new)."""
        if job.id in self._pending or not self.policy().thumbnail_generation_enabled:
            return
        made = job.thumbnail_path
        if made and not Path(made).exists():
            made = None
        duration = (job.metadata_json or {}).get("durationSeconds")
        self._pending[job.id] = self._pool.submit(
            self._make, job.id, Path(job.path), duration, made, send
        )

    def wait(self, job_id: str) -> Thumbnail:
        """The thumbnail once it is made, and whether it was sent."""
        future = self._pending.pop(job_id, None)
        if future is None:
            return Thumbnail(None)
        try:
            return future.result(timeout=WAIT_SECONDS)
        except TimeoutError:
            log.info("thumbnail of job %s took too long; uploading without it", job_id)
            return Thumbnail(None)

    def forget(self, job_id: str) -> None:
        """The file changed: a thumbnail on its way shows the old content."""
        self._pending.pop(job_id, None)

    def _make(
        self, job_id: str, video: Path, duration: float | None, made: str | None, send: Send
    ) -> Thumbnail:
        if made is None:
            try:
                made = str(make_thumbnail(video, self.folder / f"{job_id}.jpg", duration=duration))
            except MediaError as exc:
                log.info("job %s: %s", job_id, exc.message)  # never blocks a lecture
                return Thumbnail(None)
            self.store.update(job_id, thumbnail_path=made)
        try:
            return Thumbnail(made, send(Path(made)))
        except Exception:  # sent again after the video, with the key of that moment
            log.exception("job %s: the thumbnail could not be sent early", job_id)
            return Thumbnail(made)
