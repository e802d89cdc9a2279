"""Turns what the control client raises into one sentence a person understands."""

from __future__ import annotations

from shared.control.client import ControlError, DaemonNotRunning, DaemonUnavailable

MESSAGES = {
    "invalid_credentials": "Wrong email or password.",
    "server_unreachable": "The server can't be reached. Check the address and your connection.",
    "not_signed_in": "You are signed out. Sign in to continue.",
}


def describe(exc: BaseException) -> str:
    if isinstance(exc, ControlError):
        return MESSAGES.get(exc.code, exc.message)
    if isinstance(exc, DaemonNotRunning):
        return "The ReelDrop daemon is not running."
    if isinstance(exc, DaemonUnavailable):
        return "The ReelDrop daemon did not answer in time; try again."
    return f"Something went wrong: {exc}"
