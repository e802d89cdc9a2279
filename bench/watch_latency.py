"""Watched folder, end to end: a real daemon watches a folder; a writer copies a recording in
and closes it; the figure is the time from that close to the upload starting (the file's first
part on the wire), against the quiet window the daemon waits for."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.daemon_upload import FirstByteWatch, wait_until_processed
from bench.stack import server_process, signed_in_daemon, wait_for
from bench.videos import make_big_video, restamp

QUIET_SECONDS = 2


def close_to_upload(tmp: Path, runs: int) -> tuple[float, float]:
    """Median seconds from close to the first part on the wire, and the quiet window used."""
    source = make_big_video(tmp / "source.mp4", 24 << 20)
    folder = tmp / "watched"
    folder.mkdir()
    samples = []
    with (
        server_process(tmp / "server-watch") as server,
        signed_in_daemon(server, tmp / "home-watch") as daemon,
    ):
        for args in (
            ("settings", "set", "quiet-seconds", str(QUIET_SECONDS)),
            ("watch", "add", str(folder)),
        ):
            done = subprocess.run(
                [sys.executable, "-m", "reeldrop", *args],
                env=daemon.env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            if done.returncode != 0:
                raise RuntimeError(f"reeldrop {' '.join(args)}: {done.stderr[-400:]}")
        time.sleep(1)  # the folder's watch is set up
        for n in range(runs):
            restamp(source)
            watch = FirstByteWatch()
            target = folder / f"lecture-{n}.mp4"
            with open(source, "rb") as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out, 4 << 20)
            closed = time.perf_counter()
            wait_for(lambda w=watch: w.at is not None, 120, "the watched file was never uploaded")
            samples.append(watch.started + (watch.stop() or 0.0) - closed)
            wait_for(
                lambda: all(
                    j.state in ("done", "failed", "rejected") for j in daemon.client().jobs()
                ),
                300,
                "the upload never finished",
                0.2,
            )
            # The server's processing downloads the upload over loopback: let it finish, or
            # its traffic would be taken for the next file's first part.
            wait_until_processed(daemon)
    return statistics.median(samples), float(QUIET_SECONDS)


def rows(tmp: Path, runs: int) -> list[str]:
    seconds, quiet = close_to_upload(tmp, runs)
    return [
        f"| a 24 MiB recording closed in a watched folder (quiet window {quiet:.0f} s) to its "
        f"first part on the wire, median of {runs} | {seconds:.2f} s = quiet window + "
        f"{seconds - quiet:.2f} s |"
    ]
