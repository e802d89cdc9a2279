"""Preparing a file: its content SHA-1 is computed while ffprobe checks it and ffmpeg grabs
the thumbnail (not after), and a file rejected meanwhile stops the hashing."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from daemon.pipeline import preparation
from shared.media.errors import MediaError
from shared.media.hashing import HashingStopped, sha1_file
from shared.policy import Policy


def _old(path: Path) -> Path:
    stamp = time.time() - 3600  # a finished recording: no waiting for it to settle
    os.utime(path, (stamp, stamp))
    return path


def test_the_sha1_runs_while_the_file_is_probed(
    videos: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hashing = threading.Event()
    real_validate = preparation.validate_file

    def hash_then_mark(path: Path, **kw: Any) -> str:
        hashing.set()
        return sha1_file(path, **kw)

    def validate_waiting_for_the_hash(path: Path, policy: Policy) -> Any:
        assert hashing.wait(60), "the SHA-1 did not start before probing ended"
        return real_validate(path, policy)

    monkeypatch.setattr(preparation, "sha1_file", hash_then_mark)
    monkeypatch.setattr(preparation, "validate_file", validate_waiting_for_the_hash)
    video = _old(videos["mp4"])
    ready = preparation.prepare(video, Policy(), tmp_path, "job1")
    assert ready.sha1 == sha1_file(video)
    assert ready.metadata


def test_a_rejected_file_stops_its_hashing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blob = tmp_path / "big.bin"
    blob.write_bytes(os.urandom(3 << 20))
    stop = threading.Event()
    stop.set()
    with pytest.raises(HashingStopped):
        sha1_file(blob, stop=stop)

    seen: list[threading.Event] = []

    def recording(path: Path, stop: threading.Event) -> str:
        seen.append(stop)
        return sha1_file(path, stop=stop)

    monkeypatch.setattr(preparation, "sha1_file", recording)
    fake = tmp_path / "not a video.mp4"
    fake.write_bytes(os.urandom(1 << 20))
    with pytest.raises(MediaError):
        preparation.prepare(_old(fake), Policy(), tmp_path, "job2")
    assert seen and seen[0].is_set(), "the rejection stopped the hashing"
