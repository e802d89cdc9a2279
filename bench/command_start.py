"""How long a ``reeldrop`` command takes to start in the installed application (the
PyInstaller bundle) beside the same command from the virtual environment. Every
``reeldrop upload``, ``status`` and "Open with ReelDrop" pays it before the daemon hears of
the file, and the daemon pays it at login.

``python -m bench.command_start [RUNS] [EXECUTABLE...]`` prints the table (with a column for
each other ``reeldrop`` executable named, e.g. an older build); ``make bench`` writes it. The
bundle is ``dist/``'s when it is newer than every source file, else one built for the run
(installer/build-linux.sh, about a minute)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.support.bundle import bare_env, fresh_archive, unpack_copy

VENV_COMMAND = Path(sys.executable).with_name("reeldrop")
# Each command and the exit status that shows it ran through: ``status`` with no daemon
# running (its imports, the control file looked up, the answer printed; 3: no daemon) and
# ``--version`` (names no command, so the parser is built with every command module).
COMMANDS = ((("--version",), 0), (("status",), 3))


def start_seconds(argv: list[str], env: dict[str, str], status: int) -> float:
    began = time.perf_counter()
    result = subprocess.run(argv, env=env, capture_output=True, text=True)
    taken = time.perf_counter() - began
    if result.returncode != status:
        raise RuntimeError(f"{' '.join(argv)} exited {result.returncode}: {result.stderr[-500:]}")
    return taken


def user_env(scratch: Path) -> dict[str, str]:
    """A fresh user's login environment: no virtual environment, no ``REELDROP_HOME``
    (ReelDrop finds its folders as for any user), a private runtime folder."""
    env = {k: v for k, v in bare_env(scratch / "home").items() if k != "REELDROP_HOME"}
    runtime = scratch / "run"
    runtime.mkdir(mode=0o700)
    env["XDG_RUNTIME_DIR"] = str(runtime)
    return env


def measure(
    scratch: Path, runs: int, others: dict[str, Path] | None = None
) -> dict[tuple[str, str], float]:
    """Median seconds per (where, command); the installations' runs interleaved, each
    taking every place in the round in turn. ``others``: more executables to compare
    (another build of the bundle, say)."""
    commands = {
        "installed bundle": unpack_copy(fresh_archive(scratch), scratch / "installed"),
        "virtual environment": VENV_COMMAND,
        **(others or {}),
    }
    env = user_env(scratch)
    seconds: dict[tuple[str, str], list[float]] = {}
    for args, status in COMMANDS:
        for executable in commands.values():  # once each first: the files in the page cache
            start_seconds([str(executable), *args], env, status)
        for turn in range(runs):
            order = list(commands.items())
            order = order[turn % len(order) :] + order[: turn % len(order)]
            for where, executable in order:
                taken = start_seconds([str(executable), *args], env, status)
                seconds.setdefault((where, " ".join(args)), []).append(taken)
    return {key: statistics.median(values) for key, values in seconds.items()}


def table(medians: dict[tuple[str, str], float], runs: int) -> list[str]:
    places = list(dict.fromkeys(where for where, _command in medians))
    others = [p for p in places if p not in ("installed bundle", "virtual environment")]
    lines = [
        "| command | installed bundle | virtual environment | ratio |"
        + "".join(f" {p} |" for p in others),
        "| --- | --- | --- | --- |" + " --- |" * len(others),
    ]
    for args, _status in COMMANDS:
        command = " ".join(args)
        frozen = medians[("installed bundle", command)]
        venv = medians[("virtual environment", command)]
        lines.append(
            f"| `reeldrop {command}` | {frozen * 1000:.0f} ms | {venv * 1000:.0f} ms "
            f"| {frozen / venv:.2f}x |"
            + "".join(f" {medians[(p, command)] * 1000:.0f} ms |" for p in others)
        )
    lines += ["", f"Medians of {runs} runs each, interleaved."]
    return lines


def main(runs: int, others: dict[str, Path]) -> None:
    with tempfile.TemporaryDirectory(prefix="reeldrop-command-start-") as scratch:
        print("\n".join(table(measure(Path(scratch), runs, others), runs)))


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 20,
        {f"`{path}`": Path(path) for path in sys.argv[2:]},
    )
