"""How much of the machine other work took while the benchmark ran.

The load average cannot say it: the benchmark's own servers, daemons and clients keep both
cores busy, so a high load at the end is mostly the benchmark itself. What the machine spent
(``/proc/stat``) minus what this process and the children it waited for spent (``os.times``)
is the CPU time of everything else: a test suite sharing the machine, but also servers that
detach from the benchmark (PostgreSQL's, started with ``pg_ctl``).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


def _machine_busy_seconds() -> float:
    """CPU seconds every core spent outside idle and iowait since boot."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    ticks = [int(value) for value in fields]
    # user nice system idle iowait irq softirq steal (guest time is already in user)
    busy = sum(ticks[:8]) - ticks[3] - ticks[4]
    return busy / _TICKS


def _own_seconds() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


@dataclass(frozen=True)
class CpuShare:
    wall: float
    others: float  # CPU seconds spent by processes outside this one and its waited children

    def sentence(self) -> str:
        share = self.others / self.wall if self.wall > 0 else 0.0
        verdict = (
            "the machine was otherwise quiet"
            if share < 0.05
            else "other work shared the cores, so the figures are upper bounds"
        )
        return (
            f"processes outside the benchmark used {self.others:.0f} CPU seconds in "
            f"{self.wall:.0f} s ({share:.0%} of one core; the PostgreSQL server of the "
            f"progress test counts among them): {verdict}"
        )


class CpuWatch:
    """Started before the work, read after it."""

    def __init__(self) -> None:
        self._wall = time.monotonic()
        self._busy = _machine_busy_seconds()
        self._own = _own_seconds()

    def read(self) -> CpuShare:
        busy = _machine_busy_seconds() - self._busy
        own = _own_seconds() - self._own
        return CpuShare(wall=time.monotonic() - self._wall, others=max(0.0, busy - own))
