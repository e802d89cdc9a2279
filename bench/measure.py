"""Small timings that need no server: bundled ffprobe on a real video."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from shared.media.probe import probe


def probe_seconds(video: Path, runs: int = 10) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        probe(video)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)
