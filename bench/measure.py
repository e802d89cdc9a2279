"""The measurements: upload throughput and memory, bandwidth-limit accuracy, probe time."""

from __future__ import annotations

import os
import statistics
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from b2sdk.v2 import B2Api, InMemoryAccountInfo

from bench.stack import ServerProcess
from daemon.transfer.bandwidth import BandwidthLimiter
from daemon.transfer.target import UploadTarget
from daemon.transfer.uploader import B2Uploader
from server.b2store.bootstrap import storage_info
from shared.media.hashing import sha1_file
from shared.media.probe import probe

MIB = 1 << 20


def random_file(path: Path, size: int) -> Path:
    with open(path, "wb") as out:
        left = size
        while left:
            chunk = min(left, 8 * MIB)
            out.write(os.urandom(chunk))
            left -= chunk
    return path


def master_target(server: ServerProcess, name: str) -> UploadTarget:
    info = storage_info(server.data_dir, server.url)
    api = B2Api(InMemoryAccountInfo())
    api.authorize_account(server.url, info["keyId"], info["applicationKey"])
    bucket = api.get_bucket_by_name(info["bucketName"])
    return UploadTarget(
        realm_url=server.url,
        key_id=info["keyId"],
        application_key=info["applicationKey"],
        bucket_name=bucket.name,
        bucket_id=bucket.id_,
        name_prefix="",
        storage_key=name,
        part_size=100 * 1000 * 1000,
        expires_at=datetime.now(UTC) + timedelta(hours=1),
    )


def timed_upload(
    server: ServerProcess, path: Path, limiter: BandwidthLimiter, sample_rss: bool = False
) -> tuple[float, int]:
    """Seconds for one upload, and the server's peak RSS while it ran."""
    uploader = B2Uploader(limiter)
    target = master_target(server, f"bench/{path.name}-{time.monotonic_ns()}")
    peak = [server.rss_bytes()]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            peak[0] = max(peak[0], server.rss_bytes())

    sampler = threading.Thread(target=sample, daemon=True)
    if sample_rss:
        sampler.start()
    sha1 = sha1_file(path)
    start = time.perf_counter()
    uploader.upload(
        path,
        target,
        content_type="application/octet-stream",
        content_sha1=sha1,
        resume_large_file_id=None,
        on_large_file_started=lambda _id: None,
        on_progress=lambda _n: None,
        refresh_target=lambda: target,
        cancel=threading.Event(),
    )
    elapsed = time.perf_counter() - start
    done.set()
    return elapsed, peak[0]


def hashing_seconds(path: Path) -> float:
    start = time.perf_counter()
    sha1_file(path)
    return time.perf_counter() - start


def probe_seconds(video: Path, runs: int = 10) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        probe(video)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)
