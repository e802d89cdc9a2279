"""Other B2 clients, driven as their users drive them: Backblaze's ``b2`` command and rclone,
each with its own defaults and then with its best documented speed settings. Keys go in
their environment (never on a command line)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench import raw_client
from bench.stack import ServerProcess

Runner = Callable[[Path, str], None]


@dataclass(frozen=True)
class Peer:
    label: str
    run: Runner


def _command(args: list[str], env: dict[str, str], cwd: Path | None = None) -> None:
    """One uploader command run to its end, as its user runs it (its output dropped)."""
    subprocess.run(
        args,
        env=env,
        cwd=cwd,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        timeout=1800,
    )


def b2_binary() -> str | None:
    return shutil.which("b2", path=str(Path(sys.executable).parent)) or shutil.which("b2")


def _b2(server: ServerProcess, home: Path, extra: list[str]) -> Runner:
    binary = b2_binary()
    assert binary
    info = server.store()
    env = {
        **server.env,
        "HOME": str(home),
        "B2_ENVIRONMENT": server.url,
        "B2_ACCOUNT_INFO": str(home / "b2-account.sqlite"),
        "B2_APPLICATION_KEY_ID": info["keyId"],
        "B2_APPLICATION_KEY": info["applicationKey"],
    }

    def run(path: Path, name: str) -> None:
        command = ["file", "upload", "--no-progress", *extra, info["bucketName"], str(path), name]
        _command([binary, *command], env)

    return run


def _rclone(server: ServerProcess, home: Path, extra: list[str]) -> Runner:
    binary = shutil.which("rclone")
    assert binary
    info = server.store()
    env = {
        **server.env,
        "HOME": str(home),
        "RCLONE_CONFIG": str(home / "rclone.conf"),
        "RCLONE_CONFIG_BENCH_TYPE": "b2",
        "RCLONE_CONFIG_BENCH_ACCOUNT": info["keyId"],
        "RCLONE_CONFIG_BENCH_KEY": info["applicationKey"],
        "RCLONE_CONFIG_BENCH_ENDPOINT": server.url,
    }

    def run(path: Path, name: str) -> None:
        _command([binary, "copyto", *extra, str(path), f"bench:{info['bucketName']}/{name}"], env)

    return run


def raw_baseline(server: ServerProcess, part_size: int, workers: int) -> Runner:
    info = server.store()

    def run(path: Path, name: str) -> None:
        raw_client.upload(
            server.url,
            info["keyId"],
            info["applicationKey"],
            info["bucketId"],
            path,
            name,
            part_size=part_size,
            workers=workers,
        )

    return run


def raw_command(server: ServerProcess, part_size: int, workers: int) -> Runner:
    """The raw baseline run as a command (``python -m bench.raw_client``), started cold as
    the peers are; ``raw_baseline`` is the same client warm, inside this process."""
    info = server.store()
    env = {**server.env, "RAW_B2_KEY_ID": info["keyId"], "RAW_B2_KEY": info["applicationKey"]}
    root = Path(__file__).resolve().parent.parent

    def run(path: Path, name: str) -> None:
        arguments = [server.url, info["bucketId"], str(path), name, str(part_size), str(workers)]
        _command([sys.executable, "-m", "bench.raw_client", *arguments], env, root)

    return run


def peers(server: ServerProcess, home: Path) -> list[Peer]:
    """The peers found on this machine (a missing one is left out, and said so)."""
    home.mkdir(parents=True, exist_ok=True)
    found: list[Peer] = []
    if b2_binary():
        found.append(Peer("b2 CLI (defaults)", _b2(server, home, [])))
        found.append(Peer("b2 CLI --threads 8", _b2(server, home, ["--threads", "8"])))
    else:
        print("bench: the b2 command is not installed; left out", file=sys.stderr)
    if shutil.which("rclone"):
        found.append(Peer("rclone (defaults)", _rclone(server, home, [])))
        tuned = ["--transfers", "8", "--b2-chunk-size", "100M", "--b2-disable-checksum"]
        found.append(Peer("rclone " + " ".join(tuned), _rclone(server, home, tuned)))
    else:
        print("bench: rclone is not installed (apt-get install rclone); left out", file=sys.stderr)
    return found


def timed(run: Runner, path: Path, name: str) -> float:
    start = time.perf_counter()
    run(path, name)
    return time.perf_counter() - start
