"""How long a ``reeldrop`` command takes to start in the installed application (the
PyInstaller bundle) beside the same command from the virtual environment. Every
``reeldrop upload``, ``status`` and "Open with ReelDrop" pays it before the daemon hears of
the file, and the daemon pays it at login.

``python -m bench.command_start [RUNS]`` prints the table; ``make bench`` writes it. The
bundle is ``dist/``'s when it is newer than every source file, else one built for the run
(installer/build-linux.sh, about a minute)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.support.bundle import archive_in, bare_env, unpack_copy

ROOT = Path(__file__).resolve().parent.parent
VENV_COMMAND = Path(sys.executable).with_name("reeldrop")
# ``status`` with no daemon running: the command's imports, its control file looked up, and
# the answer printed; ``--version``: the interpreter and the argument parser only.
COMMANDS = (("--version",), ("status",))


def bundle_archive(scratch: Path) -> Path:
    """A bundle's archive as fresh as the sources: ``dist/``'s, or one built into ``scratch``."""
    fresh = archive_in(ROOT / "dist")
    if fresh is not None:
        return fresh
    dist = scratch / "dist"
    subprocess.run(
        ["bash", str(ROOT / "installer" / "build-linux.sh")],
        env={
            **os.environ,
            "PYTHON": sys.executable,
            "DIST": str(dist),
            "WORK": str(scratch / "work"),
        },
        check=True,
        capture_output=True,
        timeout=3600,
    )
    built = archive_in(dist)
    if built is None:
        raise RuntimeError(f"installer/build-linux.sh left no archive in {dist}")
    return built


def start_seconds(argv: list[str], env: dict[str, str]) -> float:
    began = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - began


def measure(scratch: Path, runs: int) -> dict[tuple[str, str], float]:
    """Median seconds per (where, command), the two installations' runs interleaved."""
    frozen = unpack_copy(bundle_archive(scratch), scratch / "installed")
    env = bare_env(scratch / "home")
    runtime = scratch / "run"
    runtime.mkdir(mode=0o700)
    env["XDG_RUNTIME_DIR"] = str(runtime)
    commands = {"installed bundle": frozen, "virtual environment": VENV_COMMAND}
    seconds: dict[tuple[str, str], list[float]] = {}
    for args in COMMANDS:
        for executable in commands.values():  # once each first: the files in the page cache
            start_seconds([str(executable), *args], env)
        for _ in range(runs):
            for where, executable in commands.items():
                taken = start_seconds([str(executable), *args], env)
                seconds.setdefault((where, " ".join(args)), []).append(taken)
    return {key: statistics.median(values) for key, values in seconds.items()}


def table(medians: dict[tuple[str, str], float], runs: int) -> list[str]:
    lines = [
        "| command | installed bundle | virtual environment | ratio |",
        "| --- | --- | --- | --- |",
    ]
    for args in COMMANDS:
        command = " ".join(args)
        frozen = medians[("installed bundle", command)]
        venv = medians[("virtual environment", command)]
        lines.append(
            f"| `reeldrop {command}` | {frozen * 1000:.0f} ms | {venv * 1000:.0f} ms "
            f"| {frozen / venv:.2f}x |"
        )
    lines += ["", f"Medians of {runs} runs each, the two interleaved."]
    return lines


def main(runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="reeldrop-command-start-") as scratch:
        print("\n".join(table(measure(Path(scratch), runs), runs)))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
