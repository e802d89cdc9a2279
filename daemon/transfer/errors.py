"""Transfer failures, classified for the pipeline: retry later, fetch a new key, or give up."""

from __future__ import annotations


class TransferError(Exception):
    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.message = message
        self.transient = transient


class CredentialsExpired(TransferError):
    def __init__(self, message: str = "the upload key expired or was revoked") -> None:
        super().__init__(message, transient=True)


class TransferCancelled(Exception):
    """The user paused or cancelled; the large file is kept for a later resume."""
