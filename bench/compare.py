"""Before and after: the same measurements with the code of another tree (``git archive``
of an earlier commit, unpacked) and with this one, interleaved on one file.

``python -m bench.compare OLD_TREE [SIZE_MB]`` prints a Markdown table (the processes start
in a scratch directory: ``bench.stack.code_trees``)."""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

from bench import page_reporting
from bench.daemon_upload import daemon_upload
from bench.receive import _store_once
from bench.settings import MIB
from bench.stack import code_trees, server_process, signed_in_daemon
from bench.throughput import settle
from bench.videos import make_big_video, restamp, warm


def main(old_tree: str, size_mb: int, repeats: int = 3) -> None:
    labels = ("before", "after")
    upload: dict[str, list[float]] = {k: [] for k in labels}
    reads: dict[str, list[float]] = {k: [] for k in labels}
    first: dict[str, list[float]] = {k: [] for k in labels}
    rss: dict[str, list[int]] = {k: [] for k in labels}
    receive: dict[str, list[float]] = {k: [] for k in labels}
    finish: dict[str, list[float]] = {k: [] for k in labels}
    with (
        tempfile.TemporaryDirectory(prefix="reeldrop-compare-") as tmp_name,
        page_reporting.held() as memory,
    ):
        print(memory, flush=True)
        tmp = Path(tmp_name)
        trees = code_trees(old_tree, tmp)
        video = make_big_video(tmp / "lecture.mp4", size_mb * MIB)
        size = video.stat().st_size
        for _ in range(repeats):
            for label, env in trees.items():
                with server_process(tmp / f"server-{label}", env) as server:
                    restamp(video)
                    warm(video)
                    parts, finished = _store_once(server, video)
                    receive[label].append(parts)
                    finish[label].append(finished)
                    server.delete_all()
                    with signed_in_daemon(server, tmp / f"home-{label}", env) as daemon:
                        restamp(video)
                        warm(video)
                        settle([server.pid, daemon.proc.pid])
                        run = daemon_upload(server, daemon, video)
                        settle([server.pid, daemon.proc.pid])
                    server.delete_all()
                upload[label].append(run.seconds)
                reads[label].append(run.rchar / size)
                first[label].append(run.first_byte_seconds or float("nan"))
                rss[label].append(run.peak_rss)
    m = statistics.median
    print(f"| {size_mb} MiB, median of {repeats} | before | after | after / before |")
    print("| --- | --- | --- | --- |")
    rows = [
        ("`reeldrop upload --wait`", upload, "s"),
        ("daemon reads (rchar / size)", reads, ""),
        ("first part on the wire", first, "s"),
        ("store: parts of the raw client received", receive, "s"),
        ("store: its large file finished", finish, "s"),
    ]
    for name, values, unit in rows:
        b, a = m(values["before"]), m(values["after"])
        print(f"| {name} | {b:.2f} {unit} | {a:.2f} {unit} | {a / b:.2f} |")
    b, a = max(rss["before"]), max(rss["after"])
    print(f"| daemon peak RSS | {b / MIB:.0f} MiB | {a / MIB:.0f} MiB | {a / b:.2f} |")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1024)
