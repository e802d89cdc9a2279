"""Thumbnails grabbed as the video's upload starts, and sent while the video is: ffmpeg's
seek and decode (tens of ms to a few hundred on a long lecture) runs while the upload waits
on the store for its start, not among the parts, and the upload of the thumbnail stays off
the way from the last part to ``complete``."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import CancelledError, Future
from dataclasses import dataclass
from pathlib import Path

from daemon.core.errors import JobNotFound
from daemon.jobs.models import Job
from daemon.jobs.store import JobStore
from daemon.pipeline.background import BackgroundPool
from shared.media.errors import MediaError
from shared.media.thumbnail import make_thumbnail
from shared.policy import Policy

log = logging.getLogger(__name__)
WAIT_SECONDS = 120.0  # ffmpeg is bounded by the file it reads; never hold a job forever


Send = Callable[[Path], bool]


class Superseded(Exception):
    """The job moved to another session (or none) while its thumbnail was grabbed."""


@dataclass(frozen=True)
class Thumbnail:
    path: str | None  # None: it could not be made
    sent: bool = False


class Thumbnails:
    """One thumbnail on its way per job and upload session: a thumbnail sent to another
    session's key (an upload cancelled and started again) does not count for this one."""

    def __init__(self, store: JobStore, folder: Path, policy: Callable[[], Policy]) -> None:
        self.store, self.folder, self.policy = store, folder, policy
        self.pool = BackgroundPool(2, "thumbnail")
        self._lock = threading.Lock()
        self._pending: dict[str, tuple[str | None, Future[Thumbnail]]] = {}

    def start(self, job: Job, send: Send) -> None:
        """Begin grabbing ``job``'s thumbnail, then ``send`` it, unless one is on its way
        for this session. A thumbnail made by an earlier run is sent again."""
        if not self.policy().thumbnail_generation_enabled:
            return
        with self._lock:
            known = self._pending.get(job.id)
            if known is not None and known[0] == job.session_key:
                return
            if known is not None:
                known[1].cancel()
            made = job.thumbnail_path
            if made and not Path(made).exists():
                made = None
            duration = (job.metadata_json or {}).get("durationSeconds")
            future = self.pool.submit(
                self._make, job.id, job.session_key, Path(job.path), duration, made, send
            )
            if future is not None:  # None: the daemon is stopping
                self._pending[job.id] = (job.session_key, future)

    def wait(self, job_id: str, session_key: str | None) -> Thumbnail:
        """The thumbnail once it is made, and whether it was sent for this session."""
        with self._lock:
            known = self._pending.pop(job_id, None)
        if known is None or known[0] != session_key:
            return Thumbnail(None)
        try:
            return known[1].result(timeout=WAIT_SECONDS)
        except TimeoutError:
            log.info("thumbnail of job %s took too long; uploading without it", job_id)
        except CancelledError:  # dropped: the daemon is stopping
            pass
        except Exception:  # never holds a lecture back
            log.exception("job %s: no thumbnail", job_id)
        return Thumbnail(None)

    def forget(self, job_id: str) -> None:
        """The file changed: a thumbnail on its way shows the old content."""
        with self._lock:
            known = self._pending.pop(job_id, None)
        if known is not None:
            known[1].cancel()

    def _record(self, job_id: str, session_key: str | None, made: str) -> bool:
        """Save the thumbnail's path on the job, in the transaction that checks the job is
        still on the session it was grabbed for: a file change (or a cancel and a new start)
        committed in between would otherwise leave the old content's picture on the job,
        and the next session would send it. False: not recorded."""

        def still_current(_db: object, job: Job) -> None:
            if job.session_key != session_key:
                raise Superseded()

        try:
            self.store.update(job_id, thumbnail_path=made, also=still_current)
        except (Superseded, JobNotFound):  # changed, dropped or removed meanwhile
            return False
        return True

    def _make(
        self,
        job_id: str,
        session_key: str | None,
        video: Path,
        duration: float | None,
        made: str | None,
        send: Send,
    ) -> Thumbnail:
        try:
            if made is None:
                out = self.folder / f"{job_id}.jpg"
                made = str(make_thumbnail(video, out, duration=duration))
                if not self._record(job_id, session_key, made):
                    return Thumbnail(None)  # the file changed or the upload was dropped
        except MediaError as exc:
            log.info("job %s: %s", job_id, exc.message)  # never blocks a lecture
            return Thumbnail(None)
        except Exception:
            log.exception("job %s: no thumbnail", job_id)
            return Thumbnail(None)
        try:
            return Thumbnail(made, send(Path(made)))
        except Exception:  # sent again after the video, with the key of that moment
            log.exception("job %s: the thumbnail could not be sent early", job_id)
            return Thumbnail(made)
