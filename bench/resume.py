"""Resume waste: ``kill -9`` the daemon at a random point of an upload, start it again, and
count (at the store) the bytes that were sent twice, in units of the part size."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench import raw_client
from bench.daemon_upload import forget_uploads
from bench.stack import ServerProcess, signed_in_daemon, wait_for
from bench.videos import restamp, warm
from daemon.transfer.part_size import preferred_part_size


@dataclass(frozen=True)
class ResumeRun:
    killed_at: float  # fraction of the file the store had received
    part_size: int
    in_flight: int  # parts started but not stored when the daemon died
    resent: int  # bytes received beyond the file size, over both daemon lives

    @property
    def waste_parts(self) -> float:
        return self.resent / self.part_size


def _counters(server: ServerProcess) -> dict[str, int]:
    return {k: int(v) for k, v in server.received()["bytesReceived"].items()}


def _settled(read: Any) -> Any:
    last = read()
    for _ in range(60):
        time.sleep(0.5)
        now = read()
        if now == last:
            return now
        last = now
    return last


def _stored_parts(server: ServerProcess, file_id: str) -> dict[int, int]:
    account = server.master()
    answer = raw_client.call(
        f"{account.api_url}/b2api/v3/b2_list_parts",
        account.token,
        {"fileId": file_id, "maxPartCount": 1000},
    )
    return {p["partNumber"]: p["contentLength"] for p in answer["parts"]}


def _daemon_part_size(server: ServerProcess, size: int) -> int:
    """The part size the daemon chose (for a kill before any part was stored)."""
    policy = httpx.get(f"{server.url}/api/v1/media/policy").json()["data"]
    chunk = int(policy["chunkSizeMb"]) * (1 << 20)
    return preferred_part_size(size, chunk, server.master().recommended_part_size)


def one_kill(server: ServerProcess, daemon: Any, video: Path, rng: random.Random) -> ResumeRun:
    restamp(video)
    warm(video)
    size = video.stat().st_size
    known = set(_counters(server))
    fraction = rng.uniform(0.15, 0.85)
    (job,) = daemon.client().add([str(video)])
    large_id: list[str] = []

    def reached() -> bool:
        counters = _counters(server)
        # A large file's counter is the one whose parts are counted too ("id#n").
        large = {k.split("#")[0] for k in counters if "#" in k}
        fresh = [k for k in large if k not in known and counters.get(k, 0) > 0]
        if fresh:
            large_id[:] = fresh[:1]
            return counters[fresh[0]] >= fraction * size
        return False

    wait_for(reached, 600, "the upload never got that far", step=0.01)
    daemon.kill9()
    file_id = large_id[0]
    counters = _settled(lambda: _counters(server))
    stored = _stored_parts(server, file_id)
    part_size = max(stored.values()) if stored else _daemon_part_size(server, size)
    in_flight = sum(
        1
        for key, value in counters.items()
        if key.startswith(f"{file_id}#") and value > 0 and int(key.split("#")[1]) not in stored
    )
    daemon.start(timeout=60)
    wait_for(lambda: daemon.job(job.id).state in ("done", "failed"), 900, "never finished", 0.2)
    final = daemon.job(job.id)
    if final.state != "done":
        raise RuntimeError(f"the resumed upload ended {final.state}: {final.error}")
    total = _settled(lambda: _counters(server))[file_id]
    return ResumeRun(fraction, part_size, in_flight, total - size)


def resume_runs(server: ServerProcess, video: Path, home: Path, repeats: int) -> list[ResumeRun]:
    rng = random.Random(13)
    runs = []
    with signed_in_daemon(server, home) as daemon:
        for _ in range(repeats):
            runs.append(one_kill(server, daemon, video, rng))
            forget_uploads(daemon)
            server.delete_all()
    return runs
