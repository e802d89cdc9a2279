"""Thumbnails grabbed while the video is sent: ffmpeg's seek and decode (tens of ms to a
few hundred on a long lecture) stays off the way to the first part."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from daemon.jobs.models import Job
from daemon.jobs.store import JobStore
from shared.media.errors import MediaError
from shared.media.thumbnail import make_thumbnail
from shared.policy import Policy

log = logging.getLogger(__name__)
WAIT_SECONDS = 120.0  # ffmpeg is bounded by the file it reads; never hold a job forever


class Thumbnails:
    def __init__(self, store: JobStore, folder: Path, policy: Callable[[], Policy]) -> None:
        self.store, self.folder, self.policy = store, folder, policy
        self._pool = ThreadPoolExecutor(2, thread_name_prefix="thumbnail")
        self._pending: dict[str, Future[str | None]] = {}

    def start(self, job: Job) -> None:
        """Begin grabbing ``job``'s thumbnail unless it has one or one is on its way."""
        if job.id in self._pending or not self.policy().thumbnail_generation_enabled:
            return
        if job.thumbnail_path and Path(job.thumbnail_path).exists():
            return
        duration = (job.metadata_json or {}).get("durationSeconds")
        self._pending[job.id] = self._pool.submit(self._make, job.id, Path(job.path), duration)

    def wait(self, job_id: str) -> str | None:
        """The thumbnail's path once it is made (None if it could not be)."""
        future = self._pending.pop(job_id, None)
        if future is None:
            return None
        try:
            return future.result(timeout=WAIT_SECONDS)
        except TimeoutError:
            log.info("thumbnail of job %s took too long; uploading without it", job_id)
            return None

    def forget(self, job_id: str) -> None:
        """The file changed: a thumbnail on its way shows the old content."""
        self._pending.pop(job_id, None)

    def _make(self, job_id: str, video: Path, duration: float | None) -> str | None:
        try:
            made = make_thumbnail(video, self.folder / f"{job_id}.jpg", duration=duration)
        except MediaError as exc:
            log.info("job %s: %s", job_id, exc.message)  # never blocks a lecture
            return None
        self.store.update(job_id, thumbnail_path=str(made))
        return str(made)
