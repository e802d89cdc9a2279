"""Stateless, HMAC-signed authorization tokens: checking one costs no database work."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass

from server.b2store.errors import B2Error

PREFIX = "4_rd"


@dataclass(frozen=True)
class Claims:
    kind: str  # "account", "upload", "part", "download"
    key_id: str
    scope: str  # bucket id, file id, or "bucket_id/prefix"
    expires_at: float


class TokenSigner:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _mac(self, payload: bytes) -> str:
        return hmac.new(self._secret, payload, hashlib.sha256).hexdigest()[:40]

    def mint(self, kind: str, key_id: str, scope: str, ttl_seconds: float) -> str:
        claims = {"t": kind, "k": key_id, "s": scope, "e": round(time.time() + ttl_seconds, 3)}
        payload = base64.urlsafe_b64encode(json.dumps(claims, separators=(",", ":")).encode())
        return f"{PREFIX}{payload.decode().rstrip('=')}.{self._mac(payload.rstrip(b'='))}"

    def read(self, token: str | None, kind: str) -> Claims:
        if not token:
            raise B2Error(401, "bad_auth_token", "authorization token is missing")
        try:
            body, mac = token[len(PREFIX) :].rsplit(".", 1)
            if not token.startswith(PREFIX) or not hmac.compare_digest(
                mac, self._mac(body.encode())
            ):
                raise ValueError
            padded = body + "=" * (-len(body) % 4)
            raw = json.loads(base64.urlsafe_b64decode(padded))
        except (ValueError, json.JSONDecodeError):
            raise B2Error(401, "bad_auth_token", "invalid authorization token") from None
        claims = Claims(raw["t"], raw["k"], raw["s"], float(raw["e"]))
        if claims.kind != kind:
            raise B2Error(401, "bad_auth_token", f"this is not a valid {kind} authorization token")
        if claims.expires_at <= time.time():
            raise B2Error(401, "expired_auth_token", "authorization token has expired")
        return claims
