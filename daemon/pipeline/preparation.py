"""Before a byte is sent: is the file finished, is it a video we accept, what is it."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.media.errors import MediaError
from shared.media.hashing import sha1_file
from shared.media.thumbnail import make_thumbnail
from shared.media.validation import guess_content_type, validate_file
from shared.policy import Policy

QUIET_SECONDS = 2.0  # unchanged size and mtime for this long: the writer is done
RECENT_WRITE_SECONDS = 120.0  # an unreadable file touched this recently may still be growing


class StillBeingWritten(Exception):
    """Not an error: the recording is still growing; try again shortly."""


@dataclass(frozen=True)
class Prepared:
    size: int
    mtime: float
    sha1: str
    content_type: str
    metadata: dict[str, Any]
    thumbnail: Path | None


def wait_until_quiet(path: Path, quiet: float = QUIET_SECONDS) -> tuple[int, float]:
    """Size and mtime once they stop changing; raises StillBeingWritten if they keep moving."""
    stat = path.stat()
    age = time.time() - stat.st_mtime
    if age >= quiet:
        return stat.st_size, stat.st_mtime
    time.sleep(quiet - age)
    again = path.stat()
    if (again.st_size, again.st_mtime) != (stat.st_size, stat.st_mtime):
        raise StillBeingWritten(f"{path.name} is still being written")
    return again.st_size, again.st_mtime


def prepare(path: Path, policy: Policy, thumbs_dir: Path, job_id: str) -> Prepared:
    """Raises MediaError (reject) or StillBeingWritten (wait)."""
    if not path.is_file():
        raise MediaError("not_found", f"{path.name} does not exist any more")
    size, mtime = wait_until_quiet(path)
    # The content SHA-1 (one pass over the file) runs while ffprobe and ffmpeg, separate
    # processes, check the file and grab the thumbnail: the upload starts sooner.
    stop = threading.Event()
    with ThreadPoolExecutor(1, thread_name_prefix="content-sha1") as hashing:
        sha1 = hashing.submit(sha1_file, path, stop=stop)
        try:
            metadata = validate_file(path, policy)
        except MediaError as exc:
            stop.set()  # a rejected file needs no SHA-1
            if exc.code == "unreadable" and time.time() - mtime < RECENT_WRITE_SECONDS:
                raise StillBeingWritten(
                    f"{path.name} is not readable yet; it may still be being written"
                ) from None
            raise
        except BaseException:
            stop.set()
            raise
        thumbnail = None
        if policy.thumbnail_generation_enabled:
            try:
                thumbnail = make_thumbnail(
                    path, thumbs_dir / f"{job_id}.jpg", duration=metadata.duration_seconds
                )
            except MediaError:
                thumbnail = None  # a missing thumbnail never blocks a lecture
        content_sha1 = sha1.result()
    return Prepared(
        size=size,
        mtime=mtime,
        sha1=content_sha1,
        content_type=guess_content_type(path),
        metadata=metadata.model_dump(mode="json", by_alias=True),
        thumbnail=thumbnail,
    )
