"""Throughput against part size and parts in flight (the raw client, same store), drawn as a
PNG next to the table: what the daemon's part size and worker count are chosen from."""

from __future__ import annotations

import statistics
import uuid
from pathlib import Path

from bench.peers import raw_baseline, timed
from bench.settings import MIB
from bench.stack import ServerProcess
from bench.videos import restamp, warm

Grid = dict[tuple[int, int], float]  # (part size, workers) -> MiB/s


def sweep(
    server: ServerProcess,
    video: Path,
    part_sizes: tuple[int, ...],
    workers: tuple[int, ...],
    repeats: int,
) -> Grid:
    grid: Grid = {}
    size = video.stat().st_size
    for part in part_sizes:
        for count in workers:
            run = raw_baseline(server, part, count)
            samples = []
            for _ in range(repeats):
                restamp(video)
                warm(video)
                samples.append(timed(run, video, f"bench/sweep-{uuid.uuid4().hex}"))
                server.delete_all()
            grid[(part, count)] = size / statistics.median(samples) / MIB
    return grid


def plot(grid: Grid, out: Path, title: str) -> bool:
    """Write the PNG; False when matplotlib is missing (``pip install -e '.[bench]'``)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    parts = sorted({p for p, _ in grid})
    workers = sorted({w for _, w in grid})
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    for count in workers:
        ax.plot(
            [p / MIB for p in parts],
            [grid[(p, count)] for p in parts],
            marker="o",
            label=f"{count} part{'s' if count > 1 else ''} in flight",
        )
    ax.set_xscale("log")
    ax.set_xticks([p / MIB for p in parts], [f"{p / MIB:.0f}" for p in parts])
    ax.set_xlabel("part size (MiB)")
    ax.set_ylabel("throughput (MiB/s)")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    plt.close(fig)
    return True


def table(grid: Grid) -> list[str]:
    parts = sorted({p for p, _ in grid})
    workers = sorted({w for _, w in grid})
    lines = [
        "| part size | " + " | ".join(f"{w} in flight" for w in workers) + " |",
        "| --- |" + " --- |" * len(workers),
    ]
    for part in parts:
        cells = " | ".join(f"{grid[(part, w)]:.0f} MiB/s" for w in workers)
        lines.append(f"| {part / MIB:.0f} MiB | {cells} |")
    return lines
