"""Before a byte is sent: is the file finished, is it a video we accept, what is it. (The
thumbnail is grabbed while it is sent: ``thumbnails``.)"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.media.errors import MediaError
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
    content_type: str
    metadata: dict[str, Any]


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


def prepare(path: Path, policy: Policy) -> Prepared:
    """Raises MediaError (reject) or StillBeingWritten (wait)."""
    if not path.is_file():
        raise MediaError("not_found", f"{path.name} does not exist any more")
    size, mtime = wait_until_quiet(path)
    # No pass over the whole file here: each part is hashed while it is sent (see
    # docs/DECISIONS.md, "Upload performance"), so the upload starts after the probe.
    try:
        metadata = validate_file(path, policy)
    except MediaError as exc:
        if exc.code == "unreadable" and time.time() - mtime < RECENT_WRITE_SECONDS:
            raise StillBeingWritten(
                f"{path.name} is not readable yet; it may still be being written"
            ) from None
        raise
    return Prepared(
        size=size,
        mtime=mtime,
        content_type=guess_content_type(path),
        metadata=metadata.model_dump(mode="json", by_alias=True),
    )
