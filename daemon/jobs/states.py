"""The job state machine. Every change is checked here and committed before its action.

The states themselves are part of the control API (``shared.control.schemas``); this
module adds which moves between them are allowed.
"""

from __future__ import annotations

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
USER_HELD = frozenset({S.PAUSED, S.CANCELLED, S.FAILED, S.REJECTED})
"""States only the user moves a job out of (resume, retry, cancel): a run's late write never
undoes a pause or a cancel."""
TERMINAL = TERMINAL_STATES
ACTIVE = ACTIVE_STATES


class IllegalTransition(ValueError):
    def __init__(self, old: JobState, new: JobState) -> None:
        super().__init__(f"a job cannot go from {old} to {new}")
        self.old, self.new = old, new


class MovedOn(IllegalTransition):
    """A run's write refused: the user paused, cancelled, retried or removed the job, or
    the daemon is stopping, while the run went on. What they did stands."""

    def __init__(self, state: JobState) -> None:
        ValueError.__init__(self, f"the job is {state} now: its run's late write is dropped")
        self.old = self.new = state


def check_transition(old: JobState | str, new: JobState | str) -> None:
    old_state, new_state = JobState(old), JobState(new)
    if new_state not in TRANSITIONS[old_state]:
        raise IllegalTransition(old_state, new_state)
