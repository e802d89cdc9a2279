"""The daemon's memory over many uploads: its resident size once signed in, and after each
of a run of uploads (one daemon, each upload a new lecture). The peak while one upload runs
is in "The daemon while it uploads"; this shows whether what each upload leaves behind adds
up, as it would over a term of lectures.

``python -m bench.memory_creep [UPLOADS] [SIZE_MB] [OLD_TREE]`` prints the series; with
``OLD_TREE`` (an earlier commit, unpacked) the same with that tree's code first, for a
change's before and after (``bench.stack.code_trees``)."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.daemon_upload import daemon_upload
from bench.settings import MIB
from bench.stack import ServerProcess, code_trees, proc_status, server_process, signed_in_daemon
from bench.throughput import settle
from bench.videos import make_big_video, restamp, warm

SHOWN = (1, 5, 10, 20, 30)  # uploads after which the report shows the resident size


@dataclass(frozen=True)
class Creep:
    signed_in: int  # resident bytes before the first upload
    after: list[int]  # resident bytes after each upload, in order

    def growth(self) -> int:
        """From the first upload's end to the last's: what the later uploads added."""
        return self.after[-1] - self.after[0]


def creep(
    server: ServerProcess,
    home: Path,
    video: Path,
    uploads: int,
    env: dict[str, str] | None = None,
) -> Creep:
    """``uploads`` runs of ``reeldrop upload --wait`` through one daemon, its VmRSS read
    once each has ended and the machine is quiet again."""
    with signed_in_daemon(server, home, env) as daemon:
        pids = [server.pid, daemon.proc.pid]
        settle(pids)
        signed_in = proc_status(daemon.proc.pid, "VmRSS")
        after = []
        for _ in range(uploads):
            restamp(video)
            warm(video)
            settle(pids)
            daemon_upload(server, daemon, video)  # each run's media file is deleted after it
            settle(pids)
            after.append(proc_status(daemon.proc.pid, "VmRSS"))
    return Creep(signed_in, after)


def table(series: Sequence[tuple[str, Creep]]) -> list[str]:
    """Markdown rows: the resident size signed in, after chosen uploads, and the growth."""
    count = min(len(c.after) for _, c in series)
    shown = [n for n in SHOWN if n < count] + [count]
    header = " | ".join(f"after upload {n}" for n in shown)
    lines = [
        f"| daemon | signed in | {header} | upload 1 to {count} |",
        "| --- | --- | " + " | ".join("---" for _ in shown) + " | --- |",
    ]
    for label, c in series:
        cells = " | ".join(f"{c.after[n - 1] / MIB:.0f} MiB" for n in shown)
        lines.append(
            f"| {label} | {c.signed_in / MIB:.0f} MiB | {cells} | +{c.growth() / MIB:.0f} MiB |"
        )
    return lines


def rows(tmp: Path, uploads: int, size: int) -> list[str]:
    """The report's table for this tree's daemon."""
    video = make_big_video(tmp / "creep.mp4", size)
    with server_process(tmp / "server-creep") as server:
        result = creep(server, tmp / "home-creep", video, uploads)
    video.unlink()
    return table([("`reeldrop daemon`", result)])


def main(uploads: int, size_mb: int, old_tree: str | None) -> None:
    series: list[tuple[str, Creep]] = []
    with tempfile.TemporaryDirectory(prefix="reeldrop-creep-") as tmp_name:
        tmp = Path(tmp_name)
        trees = code_trees(old_tree, tmp)
        video = make_big_video(tmp / "lecture.mp4", size_mb * MIB)
        for label, env in trees.items():
            with server_process(tmp / f"server-{len(series)}", env) as server:
                result = creep(server, tmp / f"home-{len(series)}", video, uploads, env)
            print(label, [round(n / MIB) for n in result.after], flush=True)
            series.append((label, result))
    print("\n".join(table(series)))


if __name__ == "__main__":
    arguments = sys.argv[1:]
    main(
        int(arguments[0]) if arguments else 20,
        int(arguments[1]) if len(arguments) > 1 else 512,
        arguments[2] if len(arguments) > 2 else None,
    )
