"""``X-Bz-Test-Mode``, as B2 offers it, so clients' retry paths can be exercised for real.

Faults come every third matching call (deterministic, so tests are repeatable), the same
kinds B2 injects: 503 on uploads, expired account tokens, and storage cap exceeded.
"""

from __future__ import annotations

import itertools
import os
import threading

from server.b2store.errors import B2Error

_counters: dict[str, itertools.count[int]] = {}
_lock = threading.Lock()
EVERY = 3


def _nth(mode: str) -> bool:
    with _lock:
        counter = _counters.setdefault(mode, itertools.count(1))
        return next(counter) % EVERY == 0


def active_mode(header: str | None) -> str | None:
    """The header's mode, or the store-wide mode set with REELDROP_B2STORE_TEST_MODE."""
    return header or os.environ.get("REELDROP_B2STORE_TEST_MODE") or None


def before_upload(header: str | None) -> None:
    mode = active_mode(header)
    if mode == "fail_some_uploads" and _nth(mode):
        raise B2Error(503, "service_unavailable", "test mode: upload failed, try another URL")
    if mode == "force_cap_exceeded":
        raise B2Error(403, "storage_cap_exceeded", "test mode: storage cap exceeded")


def before_api_call(header: str | None, operation: str) -> None:
    mode = active_mode(header)
    if (
        mode == "expire_some_account_authorization_tokens"
        and operation != "b2_authorize_account"
        and _nth(mode)
    ):
        raise B2Error(401, "expired_auth_token", "test mode: authorization token expired")
    if mode == "force_cap_exceeded" and operation in (
        "b2_get_upload_url",
        "b2_start_large_file",
        "b2_get_upload_part_url",
    ):
        raise B2Error(403, "storage_cap_exceeded", "test mode: storage cap exceeded")
