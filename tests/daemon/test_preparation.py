"""Preparing a file reads what the probe needs and no more; the whole-file SHA-1, taken
only when the library holds a video of the same size, stops when the job is cancelled."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from shared.media.hashing import HashingStopped, sha1_file


def test_hashing_stops_when_asked(tmp_path: Path) -> None:
    blob = tmp_path / "big.bin"
    blob.write_bytes(os.urandom(3 << 20))
    stop = threading.Event()
    stop.set()
    with pytest.raises(HashingStopped):
        sha1_file(blob, stop=stop)
    assert sha1_file(blob) == sha1_file(blob, stop=threading.Event())
