"""Is the store what limits an upload? The same raw client sends the same parts to the
store and to receivers that keep nothing; then the store's finish is timed."""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench import raw_client
from bench.stack import ServerProcess, free_port, wait_for
from bench.videos import restamp, warm

PART = 100 * 1000 * 1000
WORKERS = 4


@dataclass(frozen=True)
class ReceiveResult:
    store_parts: float  # seconds to send every part to the store
    store_finish: float  # seconds b2_finish_large_file took
    asgi_sink: float
    socket_sink: float


@contextmanager
def sink(kind: str) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.sink", kind, str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:

        def listening() -> bool:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True

        wait_for(listening, 30, f"the {kind} sink did not start")
        yield f"http://127.0.0.1:{port}/sink"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _store_once(server: ServerProcess, video: Path) -> tuple[float, float]:
    account = server.master()
    api = f"{account.api_url}/b2api/v3"
    info = server.store()
    started = raw_client.call(
        f"{api}/b2_start_large_file",
        account.token,
        {
            "bucketId": info["bucketId"],
            "fileName": f"bench/receive-{time.time_ns()}",
            "contentType": "video/mp4",
        },
    )
    file_id = started["fileId"]

    def part_url() -> tuple[str, str]:
        answer = raw_client.call(
            f"{api}/b2_get_upload_part_url", account.token, {"fileId": file_id}
        )
        return answer["uploadUrl"], answer["authorizationToken"]

    part = min(PART, max(5 * 1000 * 1000, -(-video.stat().st_size // 2)))
    start = time.perf_counter()
    sha1s = raw_client.upload_parts(video, part, WORKERS, part_url)
    parts = time.perf_counter() - start
    start = time.perf_counter()
    raw_client.call(
        f"{api}/b2_finish_large_file", account.token, {"fileId": file_id, "partSha1Array": sha1s}
    )
    return parts, time.perf_counter() - start


def _sink_once(url: str, video: Path) -> float:
    part = min(PART, max(5 * 1000 * 1000, -(-video.stat().st_size // 2)))
    start = time.perf_counter()
    raw_client.upload_parts(video, part, WORKERS, lambda: (url, "none"))
    return time.perf_counter() - start


def receive_path(server: ServerProcess, video: Path, repeats: int) -> ReceiveResult:
    store_parts, finish, asgi, plain = [], [], [], []
    with sink("asgi") as asgi_url, sink("socket") as socket_url:
        for _ in range(repeats):
            restamp(video)
            warm(video)
            parts_s, finish_s = _store_once(server, video)
            store_parts.append(parts_s)
            finish.append(finish_s)
            server.delete_all()
            warm(video)
            asgi.append(_sink_once(asgi_url, video))
            plain.append(_sink_once(socket_url, video))
    m = statistics.median
    return ReceiveResult(m(store_parts), m(finish), m(asgi), m(plain))
