"""Where the time of one ``reeldrop upload --wait`` goes: the job's states (the daemon's
control API, polled every 5 ms) beside the store's byte counter, from the command's start.

``python -m bench.timeline [SIZE_MB]`` prints one line per change, e.g. ``0.412 s
uploading 0 B at the store``; it is how the fixed costs in docs/PERFORMANCE.md were found."""

from __future__ import annotations

import sys
import threading
import time

from bench.daemon_upload import run_upload
from bench.settings import MIB
from bench.stack import ServerProcess, video_server_daemon
from bench.throughput import settle
from bench.videos import restamp, warm


def follow(server: ServerProcess, daemon: object, stop: threading.Event) -> list[str]:
    """Lines ``seconds state bytes`` whenever the job's state or the store's bytes start
    or stop moving; the clock starts when this function does."""
    client = daemon.client()  # type: ignore[attr-defined]
    base = int(server.received()["totalBytesReceived"])
    started = time.perf_counter()
    lines: list[str] = []
    last: tuple[str, bool] = ("", False)
    last_bytes = 0
    while not stop.is_set():
        jobs = client.jobs()
        state = jobs[-1].state if jobs else "(no job)"
        received = int(server.received()["totalBytesReceived"]) - base
        moving = received != last_bytes
        if (state, moving) != last:
            at = time.perf_counter() - started
            lines.append(f"{at:7.3f} s  {state:<12} {received / MIB:8.1f} MiB at the store")
            last = (state, moving)
        last_bytes = received
        time.sleep(0.005)
    return lines


def main(size_mb: int) -> None:
    with video_server_daemon("reeldrop-timeline-", size_mb * MIB) as (video, server, daemon):
        restamp(video)
        warm(video)
        settle([server.pid, daemon.proc.pid])
        stop = threading.Event()
        lines: list[str] = []
        watcher = threading.Thread(
            target=lambda: lines.extend(follow(server, daemon, stop)), daemon=True
        )
        watcher.start()
        start = time.perf_counter()
        result = run_upload(daemon, video)
        total = time.perf_counter() - start
        stop.set()
        watcher.join()
    print("\n".join(lines))
    print(f"{total:7.3f} s  the command exited ({result.returncode})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1024)
