"""Content fingerprints: recognise a file already uploaded after a restart, a rename or a
move, without reading whole recordings on every start.

The quick fingerprint is the size plus a SHA-1 of the first and last MiB. It tells files
apart cheaply; a match at a different path is confirmed with the full SHA-1 (the one the
upload itself records), so an edit in the middle of a file is never taken for a rename.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

BLOCK = 1 << 20


def quick_fingerprint(path: Path) -> str:
    """``"<size>:<sha1 of head and tail blocks>"``; raises OSError if unreadable."""
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        digest = hashlib.sha1(handle.read(BLOCK))
        if size > BLOCK:
            handle.seek(max(BLOCK, size - BLOCK))
            digest.update(handle.read(BLOCK))
    return f"{size}:{digest.hexdigest()}"
