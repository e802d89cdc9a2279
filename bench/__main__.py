"""Run every benchmark on this machine and write docs/PERFORMANCE.md."""

from __future__ import annotations

import os
import platform
import sys
import tempfile
from pathlib import Path

from bench.measure import MIB, hashing_seconds, probe_seconds, random_file, timed_upload
from bench.stack import server_process
from daemon.transfer.bandwidth import BandwidthLimiter

ROOT = Path(__file__).resolve().parent.parent


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}), "
        f"Python {platform.python_version()}"
    )


def main() -> int:
    rows: list[str] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        small = random_file(tmp / "small.bin", 40 * MIB)
        large = random_file(tmp / "large.bin", 400 * MIB)
        with server_process(tmp / "server") as server:
            idle_rss = server.rss_bytes()
            t_small, rss_small = timed_upload(server, small, BandwidthLimiter(), sample_rss=True)
            t_large, rss_large = timed_upload(server, large, BandwidthLimiter(), sample_rss=True)
            t_hash = hashing_seconds(large)
            limit = 20 * 1000 * 1000
            t_limited, _ = timed_upload(server, small, BandwidthLimiter(limit))
        rate = large.stat().st_size / t_large / MIB
        growth = max(1, rss_large - idle_rss) / max(1, rss_small - idle_rss)
        hash_rate = large.stat().st_size / t_hash / MIB
        achieved = small.stat().st_size / t_limited
        rows += [
            f"| upload 400 MiB through b2sdk to the embedded store (loopback) | "
            f"{t_large:.2f} s = {rate:.0f} MiB/s |",
            f"| SHA-1 of the same file (the floor: every upload hashes it) | "
            f"{t_hash:.2f} s = {hash_rate:.0f} MiB/s; upload/hash time ratio "
            f"{t_large / t_hash:.1f} |",
            f"| store RSS: idle / peak during 40 MiB / peak during 400 MiB upload | "
            f"{idle_rss / MIB:.0f} / {rss_small / MIB:.0f} / {rss_large / MIB:.0f} MiB "
            f"(growth ratio large/small {growth:.2f} "
            f"for 10x the data) |",
            f"| bandwidth limit 20 MB/s, 40 MiB upload | achieved {achieved / 1e6:.1f} MB/s = "
            f"{achieved / limit:.2f} of the limit |",
            f"| upload time 40 MiB vs 400 MiB | {t_small:.2f} s vs {t_large:.2f} s "
            f"(ratio {t_large / t_small:.1f} for 10x the bytes) |",
        ]
        sys.path.insert(0, str(ROOT))
        from tests.videos import make_video

        video = make_video(tmp / "probe.mp4", seconds=10, width=1280, height=720)
        rows.append(
            f"| ffprobe (bundled) on a 10 s 720p MP4, median of 10 | "
            f"{probe_seconds(video) * 1000:.0f} ms |"
        )
    report = "\n".join(
        [
            "# Performance",
            "",
            "Measured by `make bench` (`.venv/bin/python -m bench`), which rewrites this file.",
            "Ratios are measured within one run, on one machine:",
            "",
            f"Machine: {machine()}.",
            "",
            "| what | result |",
            "| --- | --- |",
            *rows,
            "",
        ]
    )
    (ROOT / "docs" / "PERFORMANCE.md").write_text(report, encoding="utf-8")
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
