"""Each section of the report: run its measurements, return its Markdown lines."""

from __future__ import annotations

import importlib
import statistics
from pathlib import Path

from bench import throughput
from bench.settings import MIB, BenchSettings
from bench.stack import server_process

PLOT = "performance-parts.png"


def _mib(n: float) -> str:
    return f"{n / MIB:.0f} MiB"


def _size(n: int) -> str:
    return f"{n / (1 << 30):.0f} GiB" if n >= 1 << 30 else _mib(n)


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def uploads(settings: BenchSettings, videos: list[Path], tmp: Path) -> list[str]:
    results = []
    for video in videos:
        with server_process(tmp / f"server-up-{video.stat().st_size}") as server:
            results.append(
                throughput.measure_size(
                    server,
                    video,
                    settings.repeats_for(video.stat().st_size),
                    tmp / f"home-{video.name}",
                    best_only=settings.is_large(video.stat().st_size),
                )
            )
    lines = [
        "## Uploads side by side",
        "",
        "One file, one store, the page cache warm (the file read once before each run, nothing "
        "dirty), runs interleaved, every uploader (ReelDrop too) taking each place in the "
        "round in turn. The raw baseline is plain HTTP to the store's native API "
        "(parts in parallel, each part's SHA-1 computed while it is sent, no SDK; "
        "bench/raw_client.py), run as a command (`python -m bench.raw_client`) and timed from "
        "its start to its exit, as the peers' commands are: each starts its whole uploader "
        "cold. The row below it is the same client called inside the bench's own process, "
        "warm, its floor. `reeldrop upload --wait` is timed from the command to its exit; the "
        "command hands the file to the daemon, started and signed in before the runs (as at a "
        "user's login), which probes it, makes the server calls, uploads it (the thumbnail is "
        "grabbed meanwhile), finishes it and asks for `complete`. Each of its runs is a new "
        "lecture: the media file of the run before is deleted, so no run meets a video of its "
        "size in the library.",
        "",
    ]
    for result in results:
        base = result.rate(throughput.BASELINE)
        lines += [
            f"**{_size(result.size)}** ({result.size:,} bytes)",
            "",
            "| uploader | runs | median time | throughput | vs raw baseline "
            "| ReelDrop is faster by |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        ours = result.median(throughput.REELDROP)
        for label in result.seconds:
            rate = result.rate(label)
            faster = "" if label == throughput.REELDROP else f"{result.median(label) / ours:.2f}x"
            lines.append(
                f"| {label} | {len(result.seconds[label])} | {result.median(label):.2f} s | "
                f"{rate:.0f} MiB/s | "
                f"{rate / base:.2f}x | {faster} |"
            )
        lines.append("")
    lines += [
        "## The daemon while it uploads",
        "",
        "Read amplification is what the daemon process read (`/proc/PID/io`) divided by the "
        "file size: `rchar` counts every byte read by a system call (page cache or not), "
        "`read_bytes` what came from the disk, measured once with this file dropped from the "
        "page cache (`posix_fadvise DONTNEED`). First part on the wire: from starting "
        "`reeldrop upload` to the first mebibyte sent over loopback (`/proc/net/dev`, polled "
        "every 2 ms; reading it costs the processes measured nothing). RSS: the daemon's "
        "VmRSS sampled every 50 ms.",
        "",
        "| file | reads, warm (rchar / size) | reads, cold (read_bytes / size) | "
        "first part on the wire | daemon peak RSS |",
        "| --- | --- | --- | --- | --- |",
    ]
    for result in results:
        runs = result.daemon_runs
        cold = result.cold_run
        first = [r.first_byte_seconds for r in runs if r.first_byte_seconds is not None]
        lines.append(
            f"| {_size(result.size)} | {_median([r.rchar / result.size for r in runs]):.2f} | "
            f"{(cold.read_bytes / result.size) if cold else float('nan'):.2f} | "
            f"{_median(first):.2f} s | {_mib(max(r.peak_rss for r in runs))} |"
        )
    copies = [(r.size, r.copy_run) for r in results if r.copy_run is not None]
    if copies:
        lines += [
            "",
            "A copy of a video already in the library (the same bytes, uploaded and processed "
            "just before): the daemon finds a video of that size in the library, hashes the "
            "file once, and `initiate` answers `duplicate`; nothing is sent.",
            "",
            "| file | `reeldrop upload --wait` | reads (rchar / size) | bytes sent |",
            "| --- | --- | --- | --- |",
        ]
        for size, run in copies:
            lines.append(
                f"| {_size(size)} | {run.seconds:.2f} s | {run.rchar / size:.2f} | "
                f"{'none' if run.first_byte_seconds is None else 'some'} |"
            )
    return lines


def memory(settings: BenchSettings, tmp: Path) -> list[str]:
    from bench.memory_creep import rows

    uploads, size = (5, 64 * MIB) if settings.quick else (20, 512 * MIB)
    return [
        "## The daemon's memory over many uploads",
        "",
        f"One daemon uploads a {_size(size)} file {uploads} times in a row, each a new lecture "
        "(bench/memory_creep.py); its VmRSS once signed in, and after chosen uploads once the "
        "machine is quiet again. What one upload leaves behind would add up here.",
        "",
        *rows(tmp, uploads, size),
    ]


def resume(settings: BenchSettings, videos: list[Path], tmp: Path) -> list[str]:
    from bench.resume import resume_runs

    video = videos[0]
    # A quick run's small file would fit in one 100 MB part: smaller parts keep it a
    # large file with parts to resume.
    env = {"REELDROP_B2STORE_RECOMMENDED_PART_SIZE": str(8 * MIB)} if settings.quick else None
    with server_process(tmp / "server-resume", env) as server:
        runs = resume_runs(server, video, tmp / "home-resume", settings.repeats)
    lines = [
        "## Resume after kill -9",
        "",
        f"The daemon uploading the {_size(video.stat().st_size)} file is killed "
        "(`kill -9`) when the store has received a random share of it (seeded), then started "
        "again. Re-sent is every byte the store received for that large file beyond its size, "
        "over both lives of the daemon, in units of the part size.",
        "",
        "| killed at | part size | parts in flight at the kill | re-sent | re-sent (parts) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for run in runs:
        lines.append(
            f"| {run.killed_at:.0%} | {_mib(run.part_size)} | {run.in_flight} | "
            f"{_mib(run.resent)} | {run.waste_parts:.2f} |"
        )
    return lines


def receive(settings: BenchSettings, videos: list[Path], tmp: Path) -> list[str]:
    from bench.receive import receive_path

    video = videos[0]
    size = video.stat().st_size
    with server_process(tmp / "server-receive") as server:
        result = receive_path(server, video, settings.repeats)
    rows = [
        ("the store (`b2_upload_part`, parts only)", result.store_parts),
        ("the store's HTTP stack, body dropped", result.asgi_sink),
        ("plain sockets, body dropped", result.socket_sink),
    ]
    lines = [
        "## The store's receive path",
        "",
        f"The raw client sends the {_size(size)} file (100 MB parts, 4 in flight, SHA-1 at the "
        "end) to the store, and to receivers that keep nothing (bench/sink.py).",
        "",
        "| receiver | median time | throughput | vs the store |",
        "| --- | --- | --- | --- |",
    ]
    for label, seconds in rows:
        lines.append(
            f"| {label} | {seconds:.2f} s | {size / seconds / MIB:.0f} MiB/s | "
            f"{result.store_parts / seconds:.2f}x |"
        )
    lines += [
        "",
        f"`b2_finish_large_file` (the store links the parts into the finished file): "
        f"{result.store_finish:.2f} s = {size / result.store_finish / MIB:.0f} MiB/s.",
    ]
    return lines


def part_sweep(settings: BenchSettings, tmp: Path, root: Path) -> list[str]:
    from bench.sweep import plot, sweep, table
    from bench.videos import make_big_video

    video = make_big_video(tmp / "sweep.mp4", settings.sweep_size)
    with server_process(tmp / "server-sweep") as server:
        grid = sweep(
            server,
            video,
            settings.sweep_part_sizes,
            settings.sweep_workers,
            settings.sweep_repeats,
        )
    drawn = plot(grid, root / "docs" / PLOT, f"{_size(settings.sweep_size)} upload, raw client")
    video.unlink()
    return [
        "## Part size and parts in flight",
        "",
        f"The raw client uploading a {_size(settings.sweep_size)} file with each combination "
        f"({settings.sweep_repeats} run each, the page cache warm).",
        "",
        f"![throughput against part size and parts in flight]({PLOT})"
        if drawn
        else "(no plot: matplotlib is missing; `pip install -e '.[bench]'`)",
        "",
        *table(grid),
    ]


def progress(settings: BenchSettings, tmp: Path) -> list[str]:
    from bench.progress_load import SESSIONS, progress_load

    results = [progress_load(tmp / "server-pl-sqlite", "SQLite", None, settings.progress_seconds)]
    try:
        from tests.support.postgres import postgres_server

        with postgres_server() as url:
            results.append(
                progress_load(tmp / "server-pl-pg", "PostgreSQL", url, settings.progress_seconds)
            )
    except Exception as exc:  # no PostgreSQL here: say so in the table
        print(f"bench: PostgreSQL left out: {exc}")
    lines = [
        "## Progress reports under load",
        "",
        f"{SESSIONS} upload sessions each sending `PUT /api/v1/media/upload/progress/...` "
        f"back to back for {settings.progress_seconds:.0f} s, each over its own keep-alive "
        "connection (one server process; the load generator shares the machine's cores, and "
        "its CPU per report is in the table, beside the server process's; PostgreSQL's own "
        "processes are not counted). Errors include timeouts (30 s). A session "
        "waits for each answer before its next report, so p50 is about the 200 sessions "
        "divided by the rate: the queue, not the work of one report.",
        "",
        "| database | reports per second | p50 | p99 | errors | server CPU per report "
        "| load generator CPU per report |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        lines.append(
            f"| {r.database} | {r.per_second:.0f} | {r.p50_ms:.0f} ms | {r.p99_ms:.0f} ms | "
            f"{r.errors} | {r.server_cpu_ms:.1f} ms | {r.client_cpu_ms:.2f} ms |"
        )
    return lines


def watched(settings: BenchSettings, tmp: Path) -> list[str]:
    from bench.daemon_idle import rows as daemon_idle_rows
    from bench.watch_latency import rows as latency_rows

    watch_folders = importlib.import_module("bench.watch_folders")
    return [
        "## Watched folders",
        "",
        "The scan and the first idle row run the real watcher in the benchmark process "
        "(bench/watch_folders.py); the latency row and the last idle row a real daemon "
        "process (bench/watch_latency.py, bench/daemon_idle.py): everything a user's "
        "`top` would show, its scheduler and control API included.",
        "",
        "| what | result |",
        "| --- | --- |",
        *latency_rows(tmp, max(3, settings.repeats)),
        *watch_folders.rows(settings.idle_seconds),
        *daemon_idle_rows(tmp / "idle", settings.idle_seconds),
    ]


def window(settings: BenchSettings) -> list[str]:
    try:
        window_paint = importlib.import_module("bench.window_paint")
    except ModuleNotFoundError:
        return ["## Window", "", "Not measured: the desktop window is not here."]
    return ["## Window", "", "| what | result |", "| --- | --- |", *window_paint.rows()]


def probing(tmp: Path) -> list[str]:
    from bench.measure import probe_seconds
    from tests.videos import make_video

    video = make_video(tmp / "probe.mp4", seconds=10, width=1280, height=720)
    return [
        "## Probing",
        "",
        f"Bundled ffprobe on a 10 s 720p MP4, median of 10: {probe_seconds(video) * 1000:.0f} ms.",
    ]


def command_start(tmp: Path) -> list[str]:
    from bench.command_start import measure, table

    runs = 20
    return [
        "## A command's start, installed",
        "",
        "A `reeldrop` command from the application bundle (`make installer`; `dist/` when it "
        "is as new as the sources, else built for the run) beside the same command from the "
        "virtual environment, with no daemon running: every `reeldrop upload`, `status` and "
        '"Open with ReelDrop" pays this before the daemon hears of the file '
        "(bench/command_start.py).",
        "",
        *table(measure(tmp / "command-start", runs), runs),
    ]
