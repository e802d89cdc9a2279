"""B2's error shape: ``{"status": ..., "code": ..., "message": ...}`` with B2's codes."""

from __future__ import annotations


class B2Error(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> dict[str, object]:
        return {"status": self.status, "code": self.code, "message": self.message}


def bad_request(message: str, code: str = "bad_request") -> B2Error:
    return B2Error(400, code, message)


def unauthorized(message: str) -> B2Error:
    return B2Error(401, "unauthorized", message)


def capability_missing(capability: str) -> B2Error:
    return B2Error(401, "unauthorized", f"application key lacks the {capability} capability")


def not_found(message: str) -> B2Error:
    return B2Error(404, "not_found", message)


def unsupported(operation: str) -> B2Error:
    """B2 operations the store does not offer: named, so a client's report says what failed."""
    return B2Error(400, "bad_request", f"{operation} is not supported by this store")


def not_implemented(what: str) -> B2Error:
    """Options (encryption, retention) the store would otherwise silently ignore."""
    return B2Error(400, "bad_request", f"{what} is not supported by this store; send without it")
