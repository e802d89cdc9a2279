"""One line about everything: what the tray icon and the status bar show.

idle / uploading n% / paused / needs attention (daemon down, signed out, server unreachable,
a failed upload). A pure function, so the tray and the window can never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from desktop.job_display import ACTIVE
from shared.control.schemas import JobView

IDLE, UPLOADING, PAUSED, ATTENTION = "idle", "uploading", "paused", "attention"


@dataclass(frozen=True)
class Summary:
    state: str  # idle | uploading | paused | attention
    text: str
    percent: int | None = None


def summarize(
    jobs: Iterable[JobView],
    *,
    daemon_up: bool,
    signed_in: bool,
    server_problem: str | None = None,
    daemon_message: str = "The ReelDrop daemon is not running.",
) -> Summary:
    if not daemon_up:
        return Summary(ATTENTION, daemon_message)
    sent = total = active = waiting = paused = failed = 0
    for job in jobs:
        state = str(job.state)
        if state in ACTIVE:
            active += 1
            sent += job.bytes_sent
            total += job.total_bytes
        elif state == "queued":
            waiting += 1
        elif state == "paused":
            paused += 1
        elif state == "failed":
            failed += 1
    if not signed_in:
        return Summary(ATTENTION, "Signed out: sign in to continue.")
    if server_problem:
        return Summary(ATTENTION, server_problem)
    if failed:
        return Summary(ATTENTION, f"{failed} upload{'s' if failed > 1 else ''} failed.")
    if active:
        percent = int(100 * sent / total) if total else 0
        more = f", {waiting} waiting" if waiting else ""
        return Summary(
            UPLOADING,
            f"Uploading {active} video{'s' if active > 1 else ''}: {percent}%{more}",
            percent,
        )
    if paused:
        return Summary(PAUSED, f"{paused} upload{'s' if paused > 1 else ''} paused.")
    if waiting:
        return Summary(UPLOADING, f"{waiting} video{'s' if waiting > 1 else ''} waiting.", 0)
    return Summary(IDLE, "All uploads are done.")
