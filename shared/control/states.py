"""Job states and their groupings, once, for the daemon, the CLI, the window and the tests.

Kept apart from the wire schemas (pydantic) so a command that only hands files to the daemon
and reads states back starts without building those models."""

from __future__ import annotations

from enum import StrEnum


class JobState(StrEnum):
    QUEUED = "queued"
    PROBING = "probing"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    INITIATING = "initiating"
    UPLOADING = "uploading"
    PAUSED = "paused"
    COMPLETING = "completing"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


TERMINAL_STATES: frozenset[JobState] = frozenset(
    {JobState.DONE, JobState.DUPLICATE, JobState.REJECTED, JobState.FAILED, JobState.CANCELLED}
)
FINISHED_STATES: frozenset[JobState] = frozenset({JobState.DONE, JobState.DUPLICATE})
"""What ``clear`` removes; ``clear --all`` removes every terminal state."""
SUCCESS_STATES = FINISHED_STATES
ACTIVE_STATES: frozenset[JobState] = frozenset(
    {JobState.PROBING, JobState.INITIATING, JobState.UPLOADING}
)
