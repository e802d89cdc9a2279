"""What can go wrong talking to the server, as the pipeline needs to tell it apart."""

from __future__ import annotations


class ServerUnavailable(Exception):
    """No answer, a timeout or a 5xx: try again later; nothing is lost."""


class ServerRejected(Exception):
    """The server said no (4xx), with its own code and reason."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{message} ({code})")
        self.status, self.code, self.message = status, code, message


class NotSignedIn(Exception):
    """No refresh token, or the server refused it: the user must sign in again."""
