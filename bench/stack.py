"""Real processes for benchmarks: the server (API + embedded store) and signed-in daemons,
each with its memory, CPU and disk counters readable from /proc."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench import raw_client
from server.b2store.bootstrap import storage_info

SERVER_ENV = {
    "MAX_VIDEO_SIZE_MB": "100000",
    "MAX_VIDEO_DURATION_SECONDS": "36000",
    "MAX_CONCURRENT_UPLOADS": "1000",
}


PACKAGES = ("reeldrop", "shared", "daemon", "server", "desktop", "bench")


def byte_compile(tree: Path) -> None:
    """Compile the project's modules under ``tree`` as an installed copy holds them (pip
    and the application bundle compile at install). Where PYTHONDONTWRITEBYTECODE is set,
    every ``reeldrop upload`` (and the raw baseline's command) would otherwise compile its
    modules again, 10-20 ms that no installed copy spends."""
    import compileall

    for package in PACKAGES:
        if (tree / package).is_dir():
            compileall.compile_dir(tree / package, quiet=1)


def code_trees(old_tree: str | None, scratch: Path) -> dict[str, dict[str, str]]:
    """The code a before-and-after run measures, each with the environment its processes
    get: ``old_tree`` (an earlier commit, unpacked) on ``PYTHONPATH`` as "before", when
    given, and this checkout as "after", both compiled as installed. The processes start in
    ``scratch``: ``python -m`` puts the current directory before ``PYTHONPATH``, so from a
    checkout both sides would otherwise run the checkout's code."""
    trees: dict[str, dict[str, str]] = {}
    if old_tree:
        byte_compile(Path(old_tree))
        trees["before"] = {"PYTHONPATH": old_tree}
    byte_compile(Path(__file__).resolve().parent.parent)
    trees["after"] = {}
    os.chdir(scratch)
    return trees


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def proc_status(pid: int, field_name: str) -> int:
    """A ``kB`` field of /proc/PID/status (VmRSS, VmHWM) in bytes; 0 once the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field_name}:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def proc_io(pid: int) -> dict[str, int]:
    """/proc/PID/io: ``rchar`` (every byte read by a syscall) and ``read_bytes`` (from disk)."""
    answer: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/io").read_text().splitlines():
        name, _, value = line.partition(":")
        answer[name.strip()] = int(value)
    return answer


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class ServerProcess:
    url: str
    pid: int
    data_dir: Path
    env: dict[str, str]
    info: dict[str, Any] = field(default_factory=dict)
    _account: raw_client.Account | None = None

    def rss_bytes(self) -> int:
        return proc_status(self.pid, "VmRSS")

    def store(self) -> dict[str, Any]:
        """The embedded store's master key, bucket name and id."""
        if not self.info:
            self.info = storage_info(self.data_dir, self.url)
        return self.info

    def master(self) -> raw_client.Account:
        if self._account is None:
            info = self.store()
            self._account = raw_client.authorize(self.url, info["keyId"], info["applicationKey"])
        return self._account

    def received(self) -> dict[str, Any]:
        """The store's per-upload byte counters (``/b2store/stats``)."""
        answer = httpx.get(
            f"{self.url}/b2store/stats", headers={"Authorization": self.master().token}
        )
        answer.raise_for_status()
        return dict(answer.json())

    def delete_all(self) -> None:
        """Delete every stored file version, so repeated multi-GB runs fit on the disk."""
        account = self.master()
        api = f"{account.api_url}/b2api/v3"
        bucket = self.store()["bucketId"]
        for _ in range(100):
            listing = raw_client.call(
                f"{api}/b2_list_file_versions",
                account.token,
                {"bucketId": bucket, "maxFileCount": 1000},
            )
            files = listing.get("files", [])
            unfinished = raw_client.call(
                f"{api}/b2_list_unfinished_large_files", account.token, {"bucketId": bucket}
            ).get("files", [])
            if not files and not unfinished:
                return
            for item in files:
                raw_client.call(
                    f"{api}/b2_delete_file_version",
                    account.token,
                    {"fileName": item["fileName"], "fileId": item["fileId"]},
                )
            for item in unfinished:
                raw_client.call(
                    f"{api}/b2_cancel_large_file", account.token, {"fileId": item["fileId"]}
                )

    def cli(self, *args: str, stdin: str | None = None) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "reeldrop", "server", *args, "--data-dir", str(self.data_dir)],
            env=self.env,
            input=stdin,
            text=True,
            capture_output=True,
            timeout=120,
        )
        if result.returncode != 0:
            raise RuntimeError(f"reeldrop server {args[0]}: {result.stderr[-500:]}")
        return result.stdout.strip()

    def add_instructor(self) -> tuple[str, str]:
        email = f"bench-{uuid.uuid4().hex[:10]}@example.edu"
        password = secrets.token_urlsafe(12)
        self.cli("user", "add", email, "--role", "instructor", "--password-stdin", stdin=password)
        return email, password


def wait_for(condition: Any, timeout: float, message: str, step: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except Exception:
            pass
        time.sleep(step)
    raise RuntimeError(message)


@contextmanager
def server_process(data_dir: Path, env: dict[str, str] | None = None) -> Iterator[ServerProcess]:
    port = free_port()
    environment = {**os.environ, **SERVER_ENV, **(env or {})}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reeldrop",
            "server",
            "serve",
            "--port",
            str(port),
            "--data-dir",
            str(data_dir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=environment,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: httpx.get(f"{url}/healthz").status_code == 200, 60, "no server", 0.1)
        yield ServerProcess(url, proc.pid, data_dir, environment)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def signed_in_daemon(
    server: ServerProcess, home: Path, env: dict[str, str] | None = None
) -> Iterator[Any]:
    """A real daemon process (``reeldrop daemon``) signed in as a fresh instructor."""
    from tests.support.daemon import DaemonProcess

    email, password = server.add_instructor()
    daemon = DaemonProcess(home, env).start(timeout=60)
    try:
        daemon.login(server.url, email, password, "--insecure-storage")
        yield daemon
    finally:
        daemon.stop()


@contextmanager
def video_server_daemon(prefix: str, size: int) -> Iterator[tuple[Path, ServerProcess, Any]]:
    """A scratch folder with a generated video of ``size`` bytes, a server and a signed-in
    daemon: the setting of the one-off measurements (``bench.timeline``, ``bench.pairs``)."""
    from bench.videos import make_big_video

    with tempfile.TemporaryDirectory(prefix=prefix) as tmp_name:
        tmp = Path(tmp_name)
        video = make_big_video(tmp / "lecture.mp4", size)
        with (
            server_process(tmp / "server") as server,
            signed_in_daemon(server, tmp / "home") as daemon,
        ):
            yield video, server, daemon
