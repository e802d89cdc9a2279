"""Upload throughput, side by side on one store: the raw baseline, the peers and
``reeldrop upload --wait``; same file, same page-cache state, interleaved repeats."""

from __future__ import annotations

import os
import statistics
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from bench.daemon_upload import DaemonRun, daemon_upload, wait_until_processed
from bench.peers import Peer, peers, raw_baseline, raw_command, timed
from bench.settings import MIB
from bench.stack import ServerProcess, cpu_seconds, signed_in_daemon
from bench.videos import cold, restamp, warm

BASELINE = "raw HTTP baseline (4 parts in flight, 100 MB parts)"
IN_PROCESS = "the same, inside the bench's process (no interpreter start)"
REELDROP = "reeldrop upload --wait (real daemon)"


@dataclass
class SizeResult:
    size: int
    seconds: dict[str, list[float]] = field(default_factory=dict)
    daemon_runs: list[DaemonRun] = field(default_factory=list)
    cold_run: DaemonRun | None = None
    copy_run: DaemonRun | None = None  # the same bytes again, once in the library

    def median(self, label: str) -> float:
        return statistics.median(self.seconds[label])

    def rate(self, label: str) -> float:
        return self.size / self.median(label) / MIB


def settle(pids: list[int], timeout: float = 120.0) -> None:
    """Wait until the processes stop using CPU (background work of the last run is over)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = sum(cpu_seconds(p) for p in pids)
        time.sleep(0.5)
        if sum(cpu_seconds(p) for p in pids) - before < 0.03:
            return


def measure_size(
    server: ServerProcess, video: Path, repeats: int, home: Path, *, best_only: bool = False
) -> SizeResult:
    """``best_only``: each peer with its best documented settings only (large files)."""
    result = SizeResult(video.stat().st_size)
    contestants: list[Peer] = [
        Peer(BASELINE, raw_command(server, 100 * 1000 * 1000, 4)),
        Peer(IN_PROCESS, raw_baseline(server, 100 * 1000 * 1000, 4)),
    ]
    contestants += [
        p for p in peers(server, home / "peers") if not best_only or "defaults" not in p.label
    ]
    # ReelDrop (None) rotates with the others: no uploader keeps one place in every round.
    entries: list[Peer | None] = [*contestants, None]
    with signed_in_daemon(server, home / "daemon") as daemon:
        pids = [server.pid, daemon.proc.pid]
        for repeat in range(repeats):
            shift = repeat % len(entries)
            for peer in entries[shift:] + entries[:shift]:
                restamp(video)
                warm(video)
                settle(pids)
                if peer is None:
                    run = daemon_upload(server, daemon, video)
                    result.daemon_runs.append(run)
                    result.seconds.setdefault(REELDROP, []).append(run.seconds)
                    settle(pids)  # its processing ends before the store is emptied
                else:
                    name = f"bench/{uuid.uuid4().hex}.mp4"
                    result.seconds.setdefault(peer.label, []).append(timed(peer.run, video, name))
                server.delete_all()
        restamp(video)
        cold(video)
        settle(pids)
        result.cold_run = daemon_upload(server, daemon, video, forget=False)
        wait_until_processed(daemon)
        warm(video)
        settle(pids)
        copy = video.with_name(f"copy of {video.name}")  # another path, the same bytes
        copy.unlink(missing_ok=True)
        os.link(video, copy)
        result.copy_run = daemon_upload(server, daemon, copy)
        copy.unlink()
        settle(pids)
        server.delete_all()
    return result
