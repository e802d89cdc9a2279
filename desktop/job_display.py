"""What the window says about a job: state labels, the reason it stopped, allowed actions.

Plain functions over ``JobView`` so the table, the tray and the notifications agree.
"""

from __future__ import annotations

from shared.control.schemas import JobView
from shared.control.states import ACTIVE_STATES, TERMINAL_STATES, JobState

STATE_LABELS: dict[str, str] = {
    "queued": "Queued",
    "probing": "Checking",
    "initiating": "Starting",
    "uploading": "Uploading",
    "completing": "Finishing",
    "done": "Done",
    "rejected": "Rejected",
    "duplicate": "Already uploaded",
    "failed": "Failed",
    "cancelled": "Cancelled",
    "paused": "Paused",
}
TERMINAL = frozenset(str(s) for s in TERMINAL_STATES)
ACTIVE = frozenset(str(s) for s in ACTIVE_STATES | {JobState.COMPLETING})

# Which action makes sense in which state; the daemon is the judge, this only greys buttons.
ACTIONS: dict[str, frozenset[str]] = {
    "pause": frozenset({"queued", "probing", "initiating", "uploading"}),
    "resume": frozenset({"paused"}),
    "cancel": frozenset({"queued", "probing", "initiating", "uploading", "paused", "failed"}),
    "retry": frozenset({"failed", "rejected", "cancelled"}),
    "remove": TERMINAL,
}


def state_label(job: JobView) -> str:
    state = str(job.state)
    return STATE_LABELS.get(state, state.capitalize())


def reason(job: JobView) -> str:
    """Why a job stopped or waits, in words; empty when there is nothing to explain.

    The error arrives either as text or as an object with a ``message`` (both are accepted
    so the window reads every version of the daemon's answer).
    """
    error = job.error
    message = getattr(error, "message", error)
    if message:
        return str(message)
    if str(job.state) == "duplicate":
        return "You already uploaded this video."
    return ""


def progress(job: JobView) -> float | None:
    """0.0-1.0 while the size is known, else None."""
    if str(job.state) in {"done", "duplicate"}:
        return 1.0
    if str(job.state) in {"rejected", "cancelled"} or not job.total_bytes:
        return None
    return min(1.0, job.bytes_sent / job.total_bytes)


def allowed(action: str, job: JobView) -> bool:
    return str(job.state) in ACTIONS.get(action, frozenset())


def cdn_url(job: JobView) -> str | None:
    url = getattr(job, "cdn_url", None)
    return str(url) if url else None


def thumbnail_path(job: JobView) -> str | None:
    path = getattr(job, "thumbnail_path", None)
    return str(path) if path else None
