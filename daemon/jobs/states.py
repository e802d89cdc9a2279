"""The job state machine. Every change is checked here and committed before its action.

The states themselves are part of the control API (``shared.control.schemas``); this
module adds which moves between them are allowed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from shared.control.states import ACTIVE_STATES, TERMINAL_STATES, JobState

S = JobState
TRANSITIONS: dict[JobState, frozenset[JobState]] = {
    S.QUEUED: frozenset({S.PROBING, S.PAUSED, S.CANCELLED, S.FAILED}),  # failed: unexpectedly
    S.PROBING: frozenset({S.QUEUED, S.REJECTED, S.INITIATING, S.PAUSED, S.CANCELLED, S.FAILED}),
    S.INITIATING: frozenset(
        {S.QUEUED, S.DUPLICATE, S.UPLOADING, S.REJECTED, S.PAUSED, S.CANCELLED, S.FAILED}
    ),
    S.UPLOADING: frozenset({S.QUEUED, S.COMPLETING, S.PAUSED, S.CANCELLED, S.FAILED}),
    S.PAUSED: frozenset({S.QUEUED, S.UPLOADING, S.CANCELLED}),
    S.COMPLETING: frozenset({S.DONE, S.FAILED}),
    S.REJECTED: frozenset({S.QUEUED}),
    S.FAILED: frozenset({S.QUEUED, S.CANCELLED}),
    S.CANCELLED: frozenset({S.QUEUED}),
    S.DONE: frozenset(),
    S.DUPLICATE: frozenset(),
}
TERMINAL = TERMINAL_STATES
ACTIVE = ACTIVE_STATES


class IllegalTransition(ValueError):
    def __init__(self, old: JobState, new: JobState) -> None:
        super().__init__(f"a job cannot go from {old} to {new}")
        self.old, self.new = old, new


class MovedOn(IllegalTransition):
    """A run's last write met a job the user paused, cancelled or removed meanwhile."""

    def __init__(self) -> None:
        ValueError.__init__(self, "the user moved the job on while its run ended")
        self.old = self.new = S.FAILED


def unless_interrupted(cancel: threading.Event) -> Callable[[object, object], None]:
    """The ``also`` of a run's own failure: written only while the run still owns the job.
    Checked inside the write, so a user's cancel and retry in between (the job queued
    again) are never overwritten by the old run's failure."""

    def check(_db: object, _job: object) -> None:
        if cancel.is_set():
            raise MovedOn()

    return check


def check_transition(old: JobState | str, new: JobState | str) -> None:
    old_state, new_state = JobState(old), JobState(new)
    if new_state not in TRANSITIONS[old_state]:
        raise IllegalTransition(old_state, new_state)
