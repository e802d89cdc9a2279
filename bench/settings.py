"""What one ``make bench`` run does, bounded: sizes and repeats from the environment.

``BENCH_QUICK=1``: small sizes, one repeat (a smoke run of every measurement).
``BENCH_SIZES_MB=1024,4096``: the video sizes (MiB; a size the disk cannot hold is skipped).
``BENCH_REPEATS=5``: runs per figure (the table shows medians); files of 2 GiB and more get
``BENCH_LARGE_REPEATS=5`` runs, each peer with its best settings only (a bounded run time).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

MIB = 1 << 20
LARGE = 2 << 30


@dataclass(frozen=True)
class BenchSettings:
    quick: bool
    sizes: tuple[int, ...]
    repeats: int
    large_repeats: int
    sweep_size: int
    sweep_part_sizes: tuple[int, ...]
    sweep_workers: tuple[int, ...]
    sweep_repeats: int
    progress_seconds: float
    idle_seconds: float

    def repeats_for(self, size: int) -> int:
        return self.large_repeats if self.is_large(size) else self.repeats

    @staticmethod
    def is_large(size: int) -> bool:
        return size >= LARGE

    @classmethod
    def from_env(cls) -> BenchSettings:
        quick = os.environ.get("BENCH_QUICK", "") not in ("", "0")
        default_sizes = "64,160" if quick else "1024,4096"
        sizes = tuple(
            int(s) * MIB for s in os.environ.get("BENCH_SIZES_MB", default_sizes).split(",") if s
        )
        return cls(
            quick=quick,
            sizes=sizes,
            repeats=int(os.environ.get("BENCH_REPEATS", "1" if quick else "5")),
            large_repeats=int(os.environ.get("BENCH_LARGE_REPEATS", "1" if quick else "5")),
            sweep_size=(64 if quick else 512) * MIB,
            sweep_part_sizes=tuple(n * MIB for n in ((8, 32) if quick else (5, 16, 50, 100, 200))),
            sweep_workers=(1, 4) if quick else (1, 2, 4, 8),
            sweep_repeats=1,
            progress_seconds=3.0 if quick else 10.0,
            idle_seconds=5.0 if quick else 60.0,
        )
