"""Content SHA-1, streamed: the duplicate check and B2's large_file_sha1 both use it."""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha1_file(path: Path | str, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha1()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()
