"""Content SHA-1, streamed: the duplicate check and B2's large_file_sha1 both use it."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

from shared.block_buffer import block_buffer


class HashingStopped(Exception):
    """The caller no longer needs the SHA-1 (the file was rejected meanwhile)."""


def sha1_file(path: Path | str, chunk: int = 1 << 20, stop: threading.Event | None = None) -> str:
    digest = hashlib.sha1()
    view = block_buffer(chunk)  # not left cached in this thread's malloc arena
    with open(path, "rb", buffering=0) as handle:
        while n := handle.readinto(view):
            if stop is not None and stop.is_set():
                raise HashingStopped()
            digest.update(view[:n])
    return digest.hexdigest()
