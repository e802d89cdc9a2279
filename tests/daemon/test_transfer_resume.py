"""The transfer layer against the real embedded store: a resumed upload continues the
saved large file and re-sends at most the parts in flight, stored parts count once and are
never charged to the bandwidth limit, a finished large file is recognised, and a file that
changes mid-upload stops the upload."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path

import pytest

from daemon.transfer.b2_session import PART_WORKERS
from daemon.transfer.bandwidth import BandwidthLimiter
from daemon.transfer.errors import FileChanged, TransferCancelled
from daemon.transfer.meter import WireMeter
from daemon.transfer.part_stream import FileWatch, PartStream
from daemon.transfer.target import UploadTarget
from daemon.transfer.uploader import B2Uploader, UploadResult
from tests.support.api import new_account
from tests.support.b2 import bytes_received, initiate_body, master_api, target_of
from tests.support.live_server import LiveServer

MIB = 1 << 20


class RecordingLimiter(BandwidthLimiter):
    """The real limiter (no rate set), remembering every byte it was charged for."""

    def __init__(self) -> None:
        super().__init__(None)
        self.charged = 0
        self._count_lock = threading.Lock()

    def consume(self, n: int, cancel: threading.Event | None = None) -> None:
        with self._count_lock:
            self.charged += n
        super().consume(n, cancel)


def random_file(path: Path, size: int) -> tuple[Path, str]:
    data = os.urandom(size)
    path.write_bytes(data)
    return path, hashlib.sha1(data).hexdigest()


def target_for(server: LiveServer, path: Path, sha1: str) -> UploadTarget:
    account = new_account(server)
    answer = account.post("/api/v1/media/upload/initiate", json=initiate_body(path, sha1))
    return target_of(answer.json()["data"])


def send(
    uploader: B2Uploader,
    path: Path,
    target: UploadTarget,
    sha1: str,
    resume: str | None,
    started: list[str],
    progress: list[int],
    cancel: threading.Event | None = None,
    stop_at: int | None = None,
    new_session: bool = False,
) -> UploadResult:
    cancel = cancel or threading.Event()

    def on_progress(done: int, _wire: int) -> None:
        progress.append(done)
        if stop_at is not None and done >= stop_at:
            cancel.set()

    return uploader.upload(
        path,
        target,
        content_type="video/mp4",
        content_sha1=sha1,
        resume_large_file_id=resume,
        on_large_file_started=started.append,
        on_progress=on_progress,
        refresh_target=lambda: target,
        cancel=cancel,
        new_session=new_session,
    )


def test_resume_sends_only_missing_parts_and_recognises_the_finished_file(
    stack_server: LiveServer, tmp_path: Path
) -> None:
    path, sha1 = random_file(tmp_path / "lecture.mp4", 28 * MIB)
    target = target_for(stack_server, path, sha1)
    part, size = target.part_size, path.stat().st_size
    parts = -(-size // part)
    assert parts > PART_WORKERS + 1, "enough parts that some are stored before the stop"
    api = master_api(stack_server)
    bucket = api.get_bucket_by_name(target.bucket_name)
    limiter = RecordingLimiter()
    uploader = B2Uploader(limiter)
    started: list[str] = []
    first_run: list[int] = []

    # Past PART_WORKERS parts of progress at least one part is stored: stop there.
    with pytest.raises(TransferCancelled):
        send(
            uploader,
            path,
            target,
            sha1,
            None,
            started,
            first_run,
            stop_at=(PART_WORKERS + 1) * part,
        )
    (large_id,) = started
    stored = {p.part_number: p.content_length for p in bucket.list_parts(large_id)}
    kept = sum(stored.values())
    assert kept >= part
    before = bytes_received(stack_server, api, large_id)

    limiter.charged = 0
    second_run: list[int] = []
    result = send(uploader, path, target, sha1, large_id, started, second_run)
    assert started == [large_id, large_id], "the saved large file was continued"
    assert result.file_id == large_id
    after = bytes_received(stack_server, api, large_id) - before
    assert after == size - kept, "only the parts the store lacked were sent"
    assert limiter.charged == size - kept, "stored parts are never charged to the limit"
    assert before - kept <= PART_WORKERS * part, "at most the parts in flight were lost"
    assert second_run == sorted(second_run), "progress never goes backwards"
    assert second_run[0] >= kept and second_run[-1] == size, "stored parts count once"
    versions = list(bucket.list_file_versions(target.storage_key))
    assert [v.id_ for v in versions] == [large_id]

    # A crash after the large file was finished, before the job recorded it: recognised.
    limiter.charged = 0
    again = send(uploader, path, target, sha1, large_id, started, [])
    assert again.recognised and again.file_id == large_id and limiter.charged == 0
    fresh = send(uploader, path, target, sha1, None, started, [])
    assert fresh.recognised and fresh.file_id == large_id
    assert [v.id_ for v in bucket.list_file_versions(target.storage_key)] == [large_id]
    assert not list(bucket.list_unfinished_large_files(prefix=target.storage_key))


@pytest.mark.parametrize("change", ["append", "truncate", "delete"])
def test_a_file_that_changes_mid_upload_stops_the_upload(
    stack_server: LiveServer, tmp_path: Path, change: str
) -> None:
    path, sha1 = random_file(tmp_path / f"{change}.mp4", 12 * MIB)
    target = target_for(stack_server, path, sha1)
    changed = threading.Event()

    def on_progress(done: int, _wire: int) -> None:
        if done >= MIB and not changed.is_set():
            changed.set()
            if change == "append":
                with path.open("ab") as handle:
                    handle.write(b"more")
            elif change == "truncate":
                os.truncate(path, MIB)
            else:
                path.unlink()

    with pytest.raises(FileChanged, match="changed while it was being uploaded"):
        B2Uploader(BandwidthLimiter(None)).upload(
            path,
            target,
            content_type="video/mp4",
            content_sha1=sha1,
            resume_large_file_id=None,
            on_large_file_started=lambda _id: None,
            on_progress=on_progress,
            refresh_target=lambda: target,
            cancel=threading.Event(),
        )


def test_a_part_begun_after_the_file_was_deleted_says_the_file_changed(tmp_path: Path) -> None:
    """The file may go between a part's check and its open: still "changed", never a
    bare FileNotFoundError that would hide the reason behind the other parts' stops."""
    path, _sha1 = random_file(tmp_path / "lecture.mp4", MIB)
    watch = FileWatch.now(path)
    path.unlink()
    meter = WireMeter(BandwidthLimiter(None), threading.Event(), lambda _done, _wire: None)
    with pytest.raises(FileChanged, match="changed while it was being uploaded"):
        PartStream(watch, 1, 0, MIB, meter)


def test_the_bandwidth_limit_holds_the_rate_on_the_wire(
    stack_server: LiveServer, tmp_path: Path
) -> None:
    """A correctness check of limiting (an upper bound on bytes over wall time), not a
    speed benchmark: a slow machine only makes the achieved rate lower."""
    limit = 1_000_000
    path, sha1 = random_file(tmp_path / "limited.mp4", 3 * MIB)
    target = target_for(stack_server, path, sha1)
    started = time.monotonic()
    result = send(B2Uploader(BandwidthLimiter(limit)), path, target, sha1, None, [], [])
    elapsed = time.monotonic() - started
    assert result.bytes_sent_this_run == 3 * MIB
    assert result.bytes_sent_this_run / elapsed <= limit * 1.1


def test_the_limiter_alone_never_lets_more_than_its_rate_through() -> None:
    limiter = BandwidthLimiter(400_000)
    sent, started = 0, time.monotonic()
    while sent < 600_000:
        limiter.consume(8192)
        sent += 8192
    assert sent / (time.monotonic() - started) <= 400_000 * 1.1


def test_a_session_opened_for_this_upload_is_not_searched_for_a_finished_file(
    stack_server: LiveServer, tmp_path: Path
) -> None:
    """The key of a session opened for this very upload has nothing under it yet: asking
    the store for a finished file there would only delay the first part."""
    from tests.server.test_metrics import scrape, total

    path, sha1 = random_file(tmp_path / "new.mp4", 12 * MIB)
    target = target_for(stack_server, path, sha1)
    name = "reeldrop_store_operations_total"
    before = total(scrape(stack_server.url), name, operation="b2_list_file_versions")
    uploader = B2Uploader(BandwidthLimiter(None))
    result = send(uploader, path, target, sha1, None, [], [], new_session=True)
    after = total(scrape(stack_server.url), name, operation="b2_list_file_versions")
    assert result.large_file_id is not None and not result.recognised
    assert after == before, "the store was searched for a file the session cannot have"
