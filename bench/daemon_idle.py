"""A real daemon process at rest: signed in, watching the 10,000-file tree of
``bench.watch_folders`` with every file already uploaded, nothing to do. What a user sees
in ``top`` all day: its CPU, and how often its threads wake (each wake-up keeps a laptop's
core out of its deep sleep states).

``python -m bench.daemon_idle [SECONDS]`` prints the table row."""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

from bench.stack import cpu_seconds, server_process, signed_in_daemon, wait_for
from bench.watch_folders import make_tree, mark_all_uploaded
from daemon.db import make_engine, make_session_factory
from tests.support.daemon import home_dirs

SETTLE_SECONDS = 5.0  # after the catch-up scan: the scan's own work is not idling


def wake_ups(pid: int) -> int:
    """Voluntary context switches of every thread of ``pid`` so far: a thread that sleeps
    and is woken counts one."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            status = (task / "status").read_text()
        except OSError:  # the thread ended meanwhile
            continue
        match = re.search(r"^voluntary_ctxt_switches:\s+(\d+)", status, re.M)
        total += int(match.group(1)) if match else 0
    return total


def measure(tmp: Path, seconds: float) -> tuple[float, float, int]:
    """(share of one core, wake-ups per second, files watched) over ``seconds``."""
    root = tmp / "tree"
    files = make_tree(root)
    with (
        server_process(tmp / "server") as server,
        signed_in_daemon(server, tmp / "home") as daemon,
    ):
        daemon.stop()  # the daemon reads what its folders took when it starts
        engine = make_engine(home_dirs(daemon.home).data / "daemon.sqlite")
        mark_all_uploaded(make_session_factory(engine), root, files)
        engine.dispose()
        daemon.start(timeout=60)
        client = daemon.client()
        client.watch_add(str(root))
        wait_for(
            lambda: [(f.state, f.waiting) for f in client.watch_list()] == [("watching", 0)],
            600,
            "the daemon never settled on watching the tree",
            0.2,
        )
        time.sleep(SETTLE_SECONDS)
        if client.jobs():
            raise RuntimeError("the daemon took files it had already uploaded as new")
        pid = daemon.proc.pid
        cpu, woke, started = cpu_seconds(pid), wake_ups(pid), time.perf_counter()
        time.sleep(seconds)
        elapsed = time.perf_counter() - started
        share = (cpu_seconds(pid) - cpu) / elapsed
        rate = (wake_ups(pid) - woke) / elapsed
    return share, rate, len(files)


def rows(tmp: Path, seconds: float) -> list[str]:
    share, rate, files = measure(tmp, seconds)
    return [
        f"| a real daemon process signed in and watching that tree ({files:,} files, all "
        f"uploaded), idle over {seconds:.0f} s | {share * 100:.2f} % of one core, "
        f"{rate:.1f} wake-ups per second |"
    ]


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="reeldrop-idle-") as name:
        print("\n".join(rows(Path(name), float(sys.argv[1]) if len(sys.argv) > 1 else 60.0)))
