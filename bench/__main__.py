"""Run every benchmark on this machine and rewrite the generated part of docs/PERFORMANCE.md.

``make bench`` (or ``.venv/bin/python -m bench``); see bench/settings.py for the knobs."""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bench import page_reporting, report, sections
from bench.cpu_share import CpuWatch
from bench.settings import MIB, BenchSettings
from bench.stack import byte_compile
from bench.videos import free_disk, make_big_video

ROOT = Path(__file__).resolve().parent.parent


def log(message: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def guarded(title: str, produce: Callable[[], list[str]]) -> list[str]:
    """One section; a failure is written down in its place instead of ending the run."""
    log(f"{title} ...")
    started = time.monotonic()
    try:
        lines = produce()
    except Exception as exc:
        traceback.print_exc()
        lines = [f"## {title}", "", f"Not measured in this run: {type(exc).__name__}: {exc}"]
    log(f"{title}: {time.monotonic() - started:.0f} s")
    return [*lines, ""]


def main() -> int:
    settings = BenchSettings.from_env()
    started = time.monotonic()
    cpu = CpuWatch()
    byte_compile(ROOT)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with (
        tempfile.TemporaryDirectory(prefix="reeldrop-bench-") as tmp_name,
        page_reporting.held() as memory,
    ):
        log(memory)
        tmp = Path(tmp_name)
        videos = []
        for size in settings.sizes:
            # The video, its stored parts, the assembled copy, and room to spare.
            if free_disk(tmp) < 3 * size + 2 * (1 << 30):
                log(f"skipping {size // MIB} MiB: not enough free disk")
                continue
            log(f"making a {size // MIB} MiB video")
            videos.append(make_big_video(tmp / f"lecture-{size // MIB}MiB.mp4", size))
        load = os.getloadavg()
        generated = [
            f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `make bench` "
            f"(`.venv/bin/python -m bench`{', BENCH_QUICK=1' if settings.quick else ''}), "
            "on loopback against the embedded store, which this command rewrites between the "
            f"markers. Figures are medians of {settings.repeats} runs "
            f"({settings.large_repeats} for files of 2 GiB and more, where each peer runs with "
            "its best settings only, to bound the run time) unless a table says otherwise; "
            "each ratio compares two figures measured in this same run.",
            "",
            f"Machine: {report.machine()}; load average at the start "
            f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}; {memory} "
            "(bench/page_reporting.py says why).",
            "",
        ]
        generated += guarded(
            "Uploads side by side", lambda: sections.uploads(settings, videos, tmp)
        )
        generated += guarded(
            "The daemon's memory over many uploads", lambda: sections.memory(settings, tmp)
        )
        generated += guarded("Resume after kill -9", lambda: sections.resume(settings, videos, tmp))
        generated += guarded(
            "The store's receive path", lambda: sections.receive(settings, videos, tmp)
        )
        generated += guarded(
            "Part size and parts in flight", lambda: sections.part_sweep(settings, tmp, ROOT)
        )
        generated += guarded(
            "Progress reports under load", lambda: sections.progress(settings, tmp)
        )
        generated += guarded("Watched folders", lambda: sections.watched(settings, tmp))
        generated += guarded("Window", lambda: sections.window(settings))
        generated += guarded("Probing", lambda: sections.probing(tmp))
        generated += guarded("A command's start, installed", lambda: sections.command_start(tmp))
        generated.append(
            f"The whole run took {(time.monotonic() - started) / 60:.1f} minutes; "
            f"{cpu.read().sentence()}."
        )
    text = report.write(ROOT / "docs" / "PERFORMANCE.md", generated)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
