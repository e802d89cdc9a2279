"""``reeldrop upload --wait`` through a real daemon, with what the daemon did on the way:
bytes it read (/proc/PID/io), its peak RSS, and when the first part went on the wire."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.stack import ServerProcess, proc_io, proc_status


@dataclass(frozen=True)
class DaemonRun:
    seconds: float
    first_byte_seconds: float | None
    rchar: int
    read_bytes: int
    peak_rss: int
    phases: tuple[float, float, float] | None = None  # see FirstByteWatch.phases


class PeakSampler:
    """Samples a number every ``every`` seconds in a thread and keeps the largest."""

    def __init__(self, read: Any, every: float = 0.05) -> None:
        self.read, self.every = read, every
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.peak = max(self.peak, int(self.read()))

    def __enter__(self) -> PeakSampler:
        self.peak = int(self.read())
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


FIRST_PART_BYTES = 1 << 20  # every request before the first part is a few kilobytes


def loopback_sent() -> int:
    """Bytes sent over the loopback interface so far (``/proc/net/dev``)."""
    for line in Path("/proc/net/dev").read_text().splitlines():
        name, _, counters = line.partition(":")
        if name.strip() == "lo":
            return int(counters.split()[8])
    raise RuntimeError("no loopback interface in /proc/net/dev")


class FirstByteWatch:
    """Polls the loopback interface's byte counter until a mebibyte has gone out: the first
    part on the wire; with ``size``, on until ``size`` bytes have (the file's last byte).
    Reading /proc costs the processes measured nothing (polling the store's counter every
    5 ms took a fifth of a CPU second from the server while it set the upload up). The
    counter is the whole interface's: the benchmark needs the machine to itself, and waits
    for the server's own downloads (processing) to end first; every request and the
    thumbnail count too, so the last byte is seen slightly early for ReelDrop, never late."""

    def __init__(self, size: int | None = None) -> None:
        self.size = size
        self.base = loopback_sent()
        self.started = time.perf_counter()
        self.at: float | None = None
        self.last_at: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            sent = loopback_sent() - self.base
            if self.at is None and sent >= FIRST_PART_BYTES:
                self.at = time.perf_counter() - self.started
                if self.size is None:
                    return
            if self.size is not None and sent >= self.size:
                self.last_at = time.perf_counter() - self.started
                return
            time.sleep(0.002)

    def stop(self) -> float | None:
        self._stop.set()
        self._thread.join()
        return self.at

    def phases(self, total: float) -> tuple[float, float, float]:
        """(until the first MiB, sending, after the last byte) of an upload that took
        ``total`` seconds from this watch's start."""
        self.stop()
        first = total if self.at is None else self.at
        last = total if self.last_at is None else self.last_at
        return first, last - first, total - last


def run_upload(daemon: Any, path: Path) -> subprocess.CompletedProcess[str]:
    """``reeldrop upload PATH --wait`` as a user runs it, against ``daemon``."""
    return subprocess.run(
        [sys.executable, "-m", "reeldrop", "upload", str(path), "--wait"],
        env=daemon.env,
        capture_output=True,
        text=True,
        timeout=3600,
    )


def wait_until_processed(daemon: Any, timeout: float = 300) -> None:
    """Until the server's processing has measured the last job's media file (and so
    recorded its SHA-1, which the duplicate check compares)."""
    client = daemon.client()
    media_id = client.jobs()[-1].media_file_id
    deadline = time.monotonic() + timeout
    while client.media_file(media_id).get("status") not in ("ready", "failed"):
        if time.monotonic() > deadline:
            raise RuntimeError(f"media {media_id} was not processed in {timeout:.0f} s")
        time.sleep(0.2)


def forget_uploads(daemon: Any) -> None:
    """Delete the media files the daemon's jobs made: the next run is a new lecture again.
    The bench rewrites a nonce in the same file, so without this every later run would
    meet a video of its very size in the library and be hashed before it is sent (the
    path a copy of a library video takes, not a new recording's)."""
    client = daemon.client()
    for media_id in {job.media_file_id for job in client.jobs() if job.media_file_id}:
        client.delete_media(media_id)  # a duplicate's job names its original's media
    client.clear(all=True)


def daemon_upload(
    server: ServerProcess,
    daemon: Any,
    path: Path,
    *,
    forget: bool = True,
    phases: bool = False,
) -> DaemonRun:
    """One timed ``reeldrop upload --wait``; ``forget=False`` keeps its media file (the
    next upload of the same bytes is then a copy of a library video). ``phases``: the
    loopback counter is watched until the file's last byte, not only its first mebibyte
    (polling /proc every 2 ms for the whole upload, as ``bench.pairs`` does for both)."""
    pid = daemon.proc.pid
    before = proc_io(pid)
    with PeakSampler(lambda: proc_status(pid, "VmRSS")) as rss:
        watch = FirstByteWatch(path.stat().st_size if phases else None)
        start = time.perf_counter()
        result = run_upload(daemon, path)
        seconds = time.perf_counter() - start
        first = watch.stop()
    if result.returncode != 0:
        raise RuntimeError(f"reeldrop upload failed: {result.stderr[-800:]}")
    after = proc_io(pid)
    if forget:
        forget_uploads(daemon)
    return DaemonRun(
        seconds=seconds,
        first_byte_seconds=first,
        rchar=after["rchar"] - before["rchar"],
        read_bytes=after["read_bytes"] - before["read_bytes"],
        peak_rss=rss.peak,
        phases=watch.phases(seconds) if phases else None,
    )
