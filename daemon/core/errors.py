"""Typed errors of the daemon core. Each carries the code and HTTP status the control API
answers with, so routers stay thin and no ``KeyError`` is ever mistaken for "no such job"."""

from __future__ import annotations

from daemon.serverapi.errors import NotSignedIn, ServerRejected, ServerUnavailable


class CoreError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class JobNotFound(CoreError):
    status = 404
    code = "job_not_found"

    def __init__(self, job_id: str) -> None:
        super().__init__(f"no job with id {job_id!r}")
        self.job_id = job_id


class InvalidRequest(CoreError):
    """What was asked cannot be done as given (a missing file, an unknown course, ...)."""

    status = 422
    code = "invalid_request"

    def __init__(self, message: str, code: str = "invalid_request") -> None:
        super().__init__(message)
        self.code = code


class JobBusy(CoreError):
    status = 409
    code = "job_busy"


__all__ = [
    "CoreError",
    "InvalidRequest",
    "JobBusy",
    "JobNotFound",
    "NotSignedIn",
    "ServerRejected",
    "ServerUnavailable",
]
