"""The server round trip on the way to the first part, sent while the file is probed.

``initiate`` (with ``checkSizeFirst``) either opens the upload session or, when the
library holds a video of this file's size, answers ``sameSizeInLibrary`` and opens
nothing: only then is the whole file hashed before the upload, for the server's duplicate
check (see ``Stages.initiate``). Sent while ffprobe still runs, the probe and the request
overlap instead of following each other.

An answer is used only for the same request and the same sign-in; otherwise, or if asking
failed for another reason than an unreachable server, a lost sign-in or the server's
refusal (which raise as the direct call would), the request is sent again then. A session
opened for a job that does not reach ``initiate`` with it (the probe rejected the file or
found it still being written, the user paused or cancelled the job or signed out) is
cancelled on the server through the outbox (asked again until the server answers); a
session lost in a crash expires on the server."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from daemon.jobs.models import Job
from daemon.jobs.store import JobStore
from daemon.outbox import close_session_later
from daemon.pipeline.background import BackgroundPool
from daemon.serverapi.api import MediaApi
from daemon.serverapi.errors import NotSignedIn, ServerRejected, ServerUnavailable
from shared.api_schemas import InitiateRequest, InitiateResponse
from shared.media.validation import guess_content_type

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EarlyAnswers:
    """What was asked for one job while it was probed, and the answer (when it comes)."""

    client: MediaApi
    request: InitiateRequest
    answer: Future[InitiateResponse]

    def session(self, request: InitiateRequest, client: MediaApi) -> InitiateResponse | None:
        """The answer to exactly this request (a session, or ``sameSizeInLibrary``); None:
        ask now. A server's refusal of this very request is raised as the direct call's
        would be."""
        if (request, client) != (self.request, self.client):
            return None
        try:
            return self.answer.result()
        except (ServerUnavailable, NotSignedIn, ServerRejected):
            raise  # the server's word on this very request, or no server: as if asked now
        except Exception:
            return None


def initiate_request(
    job: Job, size: int, content_type: str | None, content_sha1: str | None = None
) -> InitiateRequest:
    """What ``initiate`` asks the server for this job (early or not: the same request). The
    daemon sends with the scoped B2 key, never through the browser's upload target; without
    a SHA-1 it asks the server to check the library for the size first."""
    return InitiateRequest(
        filename=job.filename,
        file_size=size,
        content_type=content_type or "application/octet-stream",
        course_id=job.course_id,
        content_sha1=content_sha1,
        check_size_first=content_sha1 is None,
        browser_upload=False,
    )


class LibraryLookups:
    def __init__(self, client: Callable[[], MediaApi | None], store: JobStore) -> None:
        self.client, self.store = client, store
        self.pool = BackgroundPool(2, "library-lookup")
        self._lock = threading.Lock()
        self._asked: dict[str, EarlyAnswers] = {}
        self.on_enqueued: Callable[[], None] = lambda: None  # the scheduler's wake

    def start(self, job: Job, path: Path, quiet: float) -> None:
        """Send ``initiate`` for the file's current size in the background: not when signed
        out, nor for a file written to within ``quiet`` seconds (a recording still growing
        would be asked about at every attempt, each answer thrown away)."""
        client = self.client()
        if client is None:
            return
        try:
            stat = path.stat()
        except OSError:
            return  # probing says what is wrong with the file
        if time.time() - stat.st_mtime < quiet:
            return
        try:
            request = initiate_request(job, stat.st_size, guess_content_type(path))
        except ValueError:  # not a request the server could take (empty): probing says why
            return
        answer = self.pool.submit(client.initiate, request)
        if answer is None:  # the daemon is stopping: the job's run is being cancelled
            return
        with self._lock:
            self._asked[job.id] = EarlyAnswers(client, request, answer)

    def take(self, job_id: str) -> EarlyAnswers | None:
        """The job's early answer, for ``initiate`` to use or ``drop``."""
        with self._lock:
            return self._asked.pop(job_id, None)

    def forget(self, job_id: str) -> None:
        """The job will not reach ``initiate`` with these answers (rejected, waiting,
        paused or cancelled)."""
        self.drop(job_id, self.take(job_id))

    def drop(self, job_id: str, early: EarlyAnswers | None, used: str | None = None) -> None:
        """Let go of ``early``: a session it opened (or is opening) other than ``used`` is
        abandoned once its answer is in."""
        if early is None:
            return

        def abandon_unused(answer: Future[InitiateResponse]) -> None:
            if answer.cancelled() or answer.exception() is not None:
                return
            opened = answer.result()
            if opened.session_key and opened.session_key != used:
                try:
                    self._abandon(job_id, opened.session_key)
                except Exception:  # the server expires it in the end
                    log.warning("job %s: an unused upload session is left to expire", job_id)

        early.answer.add_done_callback(abandon_unused)

    def _abandon(self, job_id: str, session_key: str) -> None:
        """Queue the session's cancel; the answer may come after the job's thread ended
        (whose end woke the scheduler), so the scheduler is woken for it."""
        close_session_later(self.store.factory, job_id, session_key)
        self.on_enqueued()
