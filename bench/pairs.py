"""How far one run's ratio can be trusted: the raw client (as a command, and inside this
process, its floor) and ``reeldrop upload --wait`` in turns, one turn after the other, with
the store's CPU time for each upload and where its time went: until the first mebibyte
crossed loopback, sending, and after the last byte.

``python -m bench.pairs [SIZE_MB] [TURNS] [--reeldrop-first]`` prints one line per upload
and the medians. Run it once in each order: on a machine whose speed drifts, whichever
upload goes first in its turn can be the slower, and the two orders bound the ratio that
a single run of ``make bench`` may report."""

from __future__ import annotations

import statistics
import sys
import uuid
from pathlib import Path

from bench import page_reporting
from bench.daemon_upload import FirstByteWatch, daemon_upload
from bench.peers import raw_baseline, raw_command, timed
from bench.settings import MIB
from bench.stack import byte_compile, cpu_seconds, video_server_daemon
from bench.throughput import settle
from bench.videos import restamp, warm

ROOT = Path(__file__).resolve().parent.parent


def main(size_mb: int, turns: int, reeldrop_first: bool) -> None:
    byte_compile(ROOT)
    labels = ("raw-in-process", "raw", "reeldrop")  # the command baseline next to ReelDrop
    seconds: dict[str, list[float]] = {label: [] for label in labels}
    phases: dict[str, list[tuple[float, float, float]]] = {label: [] for label in labels}
    with (
        page_reporting.held() as memory,
        video_server_daemon("reeldrop-pairs-", size_mb * MIB) as (video, server, daemon),
    ):
        print(memory, flush=True)
        pids = [server.pid, daemon.proc.pid]
        raw = {
            "raw": raw_command(server, 100 * 1000 * 1000, 4),
            "raw-in-process": raw_baseline(server, 100 * 1000 * 1000, 4),
        }

        def upload(label: str) -> None:
            restamp(video)
            warm(video)
            settle(pids)
            before = cpu_seconds(server.pid)
            if label in raw:
                watch = FirstByteWatch(size_mb * MIB)
                took = timed(raw[label], video, f"bench/{uuid.uuid4().hex}.mp4")
                split = watch.phases(took)
            else:
                run = daemon_upload(server, daemon, video, phases=True)
                assert run.phases is not None
                took, split = run.seconds, run.phases
            store_cpu = cpu_seconds(server.pid) - before
            server.delete_all()
            seconds[label].append(took)
            phases[label].append(split)
            print(
                f"{label:<14} {took:6.3f} s  server CPU {store_cpu:5.2f} s  {_phases(split)}",
                flush=True,
            )

        order = tuple(reversed(labels)) if reeldrop_first else labels
        for _ in range(turns):
            for label in order:
                upload(label)
    median = {label: statistics.median(seconds[label]) for label in labels}
    for label, splits in phases.items():
        first, sending, after = (statistics.median(s[i] for s in splits) for i in range(3))
        print(f"{label:<14} medians: {_phases((first, sending, after))}")
    print(
        f"medians: raw {median['raw']:.3f} s, raw in process {median['raw-in-process']:.3f} s, "
        f"reeldrop {median['reeldrop']:.3f} s; ratio {median['raw'] / median['reeldrop']:.2f}x "
        f"(in process {median['raw-in-process'] / median['reeldrop']:.2f}x; {order[0]} first)"
    )


def _phases(split: tuple[float, float, float]) -> str:
    first, sending, after = split
    return f"first MiB {first:.3f} s, sending {sending:.3f} s, after the last byte {after:.3f} s"


if __name__ == "__main__":
    numbers = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(
        int(numbers[0]) if numbers else 1024,
        int(numbers[1]) if len(numbers) > 1 else 7,
        "--reeldrop-first" in sys.argv,
    )
