"""Limits on JSON request bodies, shared by the media API and the embedded store.

Bodies are read only after the caller is authorized, never beyond ``MAX_JSON_BYTES``, and
checked for nesting before ``json.loads`` sees them (a deep array would otherwise end in a
``RecursionError``, i.e. a 500).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

MAX_JSON_BYTES = 256 * 1024
MAX_JSON_DEPTH = 32
_QUOTE, _BACKSLASH = ord('"'), ord("\\")
_OPENERS, _CLOSERS = frozenset(b"[{"), frozenset(b"]}")


class BodyRefused(Exception):
    """The body is too large (413) or not acceptable JSON (400); the message says which."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def declared_length(value: str | None) -> int | None:
    """The Content-Length header as a number; BodyRefused when it is over the cap or junk."""
    if value is None:
        return None
    if not value.strip().isdigit():
        raise BodyRefused(400, "Content-Length is not a number")
    length = int(value)
    if length > MAX_JSON_BYTES:
        raise BodyRefused(413, f"the request body is larger than {MAX_JSON_BYTES} bytes")
    return length


async def read_capped(chunks: AsyncIterator[bytes]) -> bytes:
    """The whole body, refusing it as soon as it grows past the cap (chunked uploads too)."""
    body = bytearray()
    async for chunk in chunks:
        body.extend(chunk)
        if len(body) > MAX_JSON_BYTES:
            raise BodyRefused(413, f"the request body is larger than {MAX_JSON_BYTES} bytes")
    return bytes(body)


def nesting_depth(raw: bytes) -> int:
    """How deeply arrays and objects nest, ignoring brackets inside strings (one pass)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in raw:
        if in_string:
            if escaped:
                escaped = False
            elif char == _BACKSLASH:
                escaped = True
            elif char == _QUOTE:
                in_string = False
        elif char == _QUOTE:
            in_string = True
        elif char in _OPENERS:
            depth += 1
            deepest = max(deepest, depth)
        elif char in _CLOSERS:
            depth -= 1
    return deepest


def check_nesting(raw: bytes) -> None:
    if nesting_depth(raw) > MAX_JSON_DEPTH:
        raise BodyRefused(400, f"the JSON body nests deeper than {MAX_JSON_DEPTH} levels")


def parse_json(raw: bytes) -> Any:
    """``json.loads`` that never raises anything but BodyRefused(400)."""
    check_nesting(raw)
    try:
        return json.loads(raw or b"{}")
    except (ValueError, RecursionError):
        raise BodyRefused(400, "the request body is not valid JSON") from None
