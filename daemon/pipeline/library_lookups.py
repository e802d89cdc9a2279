"""Does the library hold a video of this file's size? Asked while the file is probed.

Only then is the whole file hashed before the upload, for the server's duplicate check
(see ``Stages.hash_if_in_library``). The answer is a server round trip on the way to the
first part, so it is asked as probing starts and read when the job reaches ``initiate``.
The answer is used only for the same size and the same sign-in; otherwise, or if asking
failed for another reason than an unreachable server or a lost sign-in (which raise as
the direct call would), the question is asked again then."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from daemon.serverapi.api import MediaApi
from daemon.serverapi.errors import NotSignedIn, ServerUnavailable


class LibraryLookups:
    def __init__(self, client: Callable[[], MediaApi | None]) -> None:
        self.client = client
        self._pool = ThreadPoolExecutor(2, thread_name_prefix="library-lookup")
        self._lock = threading.Lock()
        self._asked: dict[str, tuple[int, MediaApi, Future[set[str]]]] = {}

    def start(self, job_id: str, path: Path, quiet: float) -> None:
        """Ask about the file's current size in the background: not when signed out, nor
        for a file written to within ``quiet`` seconds (a recording still growing would
        be asked about at every attempt, each answer thrown away)."""
        client = self.client()
        if client is None:
            return
        try:
            stat = path.stat()
        except OSError:
            return  # probing says what is wrong with the file
        if time.time() - stat.st_mtime < quiet:
            return
        size = stat.st_size
        asked = self._pool.submit(client.hashes_of_size, size)
        with self._lock:
            self._asked[job_id] = (size, client, asked)

    def forget(self, job_id: str) -> None:
        """The job will not reach ``initiate`` with this answer (rejected, or waiting)."""
        with self._lock:
            self._asked.pop(job_id, None)

    def in_library(self, job_id: str, size: int, client: MediaApi) -> bool:
        """The answer asked for while probing, if it still applies; else asked now."""
        with self._lock:
            asked = self._asked.pop(job_id, None)
        if asked is not None and asked[:2] == (size, client):
            try:
                return bool(asked[2].result())
            except (ServerUnavailable, NotSignedIn):
                raise  # as the direct call would: asking again would only wait again
            except Exception:
                pass  # asked again below, where its error is the one reported
        return bool(client.hashes_of_size(size))
