"""Shared steps of server tests: a finished upload owned by an account."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from shared.media.hashing import sha1_file
from shared.media.validation import guess_content_type
from tests.support.api import Account
from tests.support.b2 import upload_as_client


def initiate(account: Account, path: Path, **extra: Any) -> dict[str, Any]:
    init = account.post(
        "/api/v1/media/upload/initiate",
        json={
            "filename": path.name,
            "fileSize": path.stat().st_size,
            "contentType": guess_content_type(path),
            **extra,
        },
    )
    assert init.status_code == 200, init.text
    return dict(init.json()["data"])


def complete(account: Account, data: dict[str, Any], sha1: str) -> httpx.Response:
    return account.post(
        "/api/v1/media/upload/complete",
        json={
            "sessionKey": data["sessionKey"],
            "storageKey": data["storageKey"],
            "contentSha1": sha1,
        },
    )


def uploaded_media(account: Account, path: Path, **extra: Any) -> dict[str, Any]:
    data = initiate(account, path, **extra)
    upload_as_client(data, path)
    done = complete(account, data, sha1_file(path))
    assert done.status_code == 200, done.text
    return {**done.json()["data"], "sessionKey": data["sessionKey"]}


def browser_post(data: dict[str, Any], name: str, body: bytes) -> httpx.Response:
    """Exactly what a browser given ``uploadUrl`` and ``fields`` can send."""
    return httpx.post(
        data["uploadUrl"],
        content=body,
        headers={
            "Authorization": data["fields"]["Authorization"],
            "X-Bz-File-Name": quote(name, safe="/"),
            "Content-Type": "video/mp4",
            "X-Bz-Content-Sha1": hashlib.sha1(body).hexdigest(),
        },
        timeout=60,
    )
