"""B2's error shape: ``{"status": ..., "code": ..., "message": ...}`` with B2's codes."""

from __future__ import annotations

from typing import Any


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


def whole_number(body: dict[str, Any], name: str, default: int, low: int, high: int) -> int:
    """An integer parameter of a JSON call, or a 400 that names it (never a 500)."""
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise bad_request(f"{name} must be a whole number")
    try:
        number = int(value)
    except ValueError:
        raise bad_request(f"{name} must be a whole number") from None
    if not low <= number <= high:
        raise bad_request(f"{name} must be between {low} and {high}")
    return number


def optional_text(body: dict[str, Any], name: str) -> str | None:
    """A string parameter that must be valid UTF-8 text when present."""
    value = body.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise bad_request(f"{name} must be a string")
    return utf8(value, name)


def utf8(value: str, name: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise bad_request(f"{name} is not valid UTF-8 text") from None
    return value


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
