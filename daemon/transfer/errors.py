"""Transfer failures, classified for the pipeline: retry later, fetch a new key, start over
because the file changed, or give up."""

from __future__ import annotations

from b2sdk.v2.exception import B2Error


class TransferError(Exception):
    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.message = message
        self.transient = transient


class CredentialsExpired(TransferError):
    def __init__(self, message: str = "the upload key expired or was revoked") -> None:
        super().__init__(message, transient=True)


class FileChanged(TransferError):
    """The file changed, shrank or disappeared while it was being sent."""

    def __init__(self, name: str) -> None:
        super().__init__(f"{name}: the file changed while it was being uploaded", transient=False)


class TransferCancelled(Exception):
    """The user paused or cancelled; the large file is kept for a later resume."""


class ReadStopped(B2Error):
    """Carries a cancellation or a changed file out of b2sdk's HTTP layer untouched.

    b2sdk logs any foreign exception raised while a body is read as "unexpected", with a
    traceback; a ``B2Error`` it passes through silently and never retries.
    """

    def __init__(self, reason: TransferCancelled | FileChanged) -> None:
        super().__init__(str(reason))
        self.reason = reason

    def should_retry_http(self) -> bool:
        return False

    def should_retry_upload(self) -> bool:
        return False
