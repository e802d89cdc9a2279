"""Shared steps of server tests: a finished upload owned by an account."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shared.media.hashing import sha1_file
from shared.media.validation import guess_content_type
from tests.support.api import Account
from tests.support.b2 import upload_as_client


def uploaded_media(account: Account, path: Path, **extra: Any) -> dict[str, Any]:
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
    data = init.json()["data"]
    upload_as_client(data, path)
    done = account.post(
        "/api/v1/media/upload/complete",
        json={
            "sessionKey": data["sessionKey"],
            "storageKey": data["storageKey"],
            "contentSha1": sha1_file(path),
        },
    )
    assert done.status_code == 200, done.text
    return {**done.json()["data"], "sessionKey": data["sessionKey"]}
