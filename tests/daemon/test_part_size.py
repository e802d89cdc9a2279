"""Large files go in large parts: the larger of the server's ``partSize`` and the store's
``recommendedPartSize``; a large file started in another part size is resumed in that size.
Checked with the store's per-part byte counters, through a real daemon and the real store."""

from __future__ import annotations

from pathlib import Path

import pytest

from daemon.transfer.b2_session import PART_WORKERS
from daemon.transfer.bandwidth import BandwidthLimiter
from daemon.transfer.errors import TransferCancelled
from daemon.transfer.part_size import (
    MAX_PART_SIZE,
    MAX_PARTS,
    part_ranges,
    preferred_part_size,
    resumable_part_size,
)
from daemon.transfer.uploader import B2Uploader
from tests.daemon.test_transfer_resume import random_file, send, target_for
from tests.support.api import PASSWORD, add_user, sign_in
from tests.support.b2 import bytes_received, master_api, server_part_size
from tests.support.daemon import DaemonProcess
from tests.support.live_server import LiveServer, live_server
from tests.support.ports import free_port

MIB = 1 << 20
RECOMMENDED = 12 * MIB
RECOMMENDED_ENV = "REELDROP_B2STORE_RECOMMENDED_PART_SIZE"


def parts_received(server: LiveServer, large_id: str) -> dict[int, int]:
    """Bytes the store received per part number of one large file."""
    import httpx

    token = master_api(server).account_info.get_account_auth_token()
    answer = httpx.get(f"{server.url}/b2store/stats", headers={"Authorization": token})
    counters = answer.json()["bytesReceived"]
    prefix = f"{large_id}#"
    return {int(k[len(prefix) :]): int(v) for k, v in counters.items() if k.startswith(prefix)}


def test_the_daemon_sends_a_large_file_in_the_stores_recommended_part_size(
    tmp_path: Path, long_video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(RECOMMENDED_ENV, str(RECOMMENDED))
    daemon = DaemonProcess(tmp_path / "home")
    size = long_video.stat().st_size
    with live_server(tmp_path / "server", run_background=True) as server:
        assert server_part_size(server) < RECOMMENDED, "the store recommends larger parts"
        email = add_user(server)
        try:
            daemon.start()
            daemon.login(server.url, email, PASSWORD, "--insecure-storage")
            result = daemon.cli("upload", str(long_video), "--wait")
            assert result.returncode == 0, result.stdout + result.stderr
        finally:
            daemon.stop()
        bucket = master_api(server).get_bucket_by_name("reeldrop-media")
        prefix = f"videos/{sign_in(server, email).user_id}/"
        (version,) = [v for v, _ in bucket.ls(prefix, recursive=True) if v.size == size]
        expected = {n: length for n, _offset, length in part_ranges(size, RECOMMENDED)}
        assert parts_received(server, version.id_) == expected
        assert bytes_received(server, master_api(server), version.id_) == size


def test_a_large_file_started_in_smaller_parts_is_resumed_in_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store's recommendation grows between two runs (or the daemon was updated): the
    stored parts decide the part size, nothing is sent twice beyond the parts in flight."""
    path, sha1 = random_file(tmp_path / "lecture.mp4", 60 * MIB)
    size, port, data_dir = path.stat().st_size, free_port(), tmp_path / "server"
    uploader = B2Uploader(BandwidthLimiter(None))
    started: list[str] = []
    with live_server(data_dir, port=port) as first:
        target = target_for(first, path, sha1)
        part = target.part_size
        assert part < RECOMMENDED < size
        with pytest.raises(TransferCancelled):
            # Past PART_WORKERS parts of progress at least one part is stored: stop there.
            stop_at = (PART_WORKERS + 1) * part
            send(uploader, path, target, sha1, None, started, [], stop_at=stop_at)
        (large_id,) = started
        bucket = master_api(first).get_bucket_by_name(target.bucket_name)
        stored = {p.part_number: p.content_length for p in bucket.list_parts(large_id)}
        expected = {n: length for n, _offset, length in part_ranges(size, part)}
        assert stored and all(expected[n] == length for n, length in stored.items())
        assert len(stored) < len(expected), "some parts are left for the second run"
    monkeypatch.setenv(RECOMMENDED_ENV, str(RECOMMENDED))
    with live_server(data_dir, port=port) as again:
        result = send(uploader, path, target, sha1, large_id, started, [])
        assert result.file_id == large_id and started == [large_id, large_id]
        missing = {n: length for n, length in expected.items() if n not in stored}
        assert parts_received(again, large_id) == missing, "only the missing parts, as before"
        bucket = master_api(again).get_bucket_by_name(target.bucket_name)
        (version,) = bucket.list_file_versions(target.storage_key)
        assert version.id_ == large_id and version.size == size


def test_the_part_size_is_the_larger_one_and_fits_b2s_limits() -> None:
    assert preferred_part_size(1 << 30, 5 * MIB, 100_000_000) == 100_000_000
    assert preferred_part_size(1 << 30, 200 * MIB, 100_000_000) == 200 * MIB
    huge = 2 * 1000**4
    assert preferred_part_size(huge, 5 * MIB, 100_000_000) == -(-huge // MAX_PARTS)
    assert preferred_part_size(10 * 1000**4 * 10, 5 * MIB, 1) == MAX_PART_SIZE


def test_stored_parts_decide_the_part_size_of_a_resumed_large_file() -> None:
    size = 26 * MIB + 7
    assert resumable_part_size(size, {}, (100 * MIB, 5 * MIB)) == 5 * MIB
    assert resumable_part_size(size, {}, (8 * MIB, 5 * MIB)) == 8 * MIB
    assert resumable_part_size(size, {2: 5 * MIB}, (8 * MIB, 5 * MIB)) == 5 * MIB
    assert resumable_part_size(size, {6: MIB + 7}, (8 * MIB, 5 * MIB)) == 5 * MIB
    assert resumable_part_size(size, {1: 4 * MIB}, (8 * MIB, 5 * MIB)) == 4 * MIB
    assert resumable_part_size(size, {1: 3 * MIB, 2: 4 * MIB}, (8 * MIB,)) is None
