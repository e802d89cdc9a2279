"""The server's data directory and database files are private to their owner."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.server.flows import initiate
from tests.support.api import new_account
from tests.support.b2 import upload_as_client
from tests.support.live_server import live_server
from tests.videos import make_video


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_data_directory_is_0700_and_database_files_0600(tmp_path: Path) -> None:
    data = tmp_path / "fresh" / "data"
    previous = os.umask(0o022)
    try:
        with live_server(data) as server:
            new_account(server)  # something worth protecting is written
            files = [data / "server.sqlite", data / "jwt-secret", data / "b2store" / "store.sqlite"]
            files += [p for p in data.rglob("*.sqlite-*")]
            for path in files:
                assert path.exists(), path
                assert mode(path) == 0o600, (path, oct(mode(path)))
            assert mode(data) == 0o700
            assert mode(data / "b2store") == 0o700
    finally:
        os.umask(previous)


def _b2(key: dict[str, Any], path: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = httpx.post(
        f"{key['realmUrl']}/b2api/v3/{path}", headers={"Authorization": token}, json=body
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_stored_videos_and_parts_are_private_to_the_owner(tmp_path: Path) -> None:
    """The store's blobs are the users' lectures: files 0600 and folders 0700 whatever the
    umask, for simple uploads and for the parts of a large file."""
    data = tmp_path / "data"
    previous = os.umask(0o022)
    try:
        with live_server(data) as server:
            account = new_account(server)
            video = make_video(tmp_path / "lecture.mp4")
            initiated = initiate(account, video)
            upload_as_client(initiated, video)  # a simple upload: one stored file
            key = initiated["b2"]
            auth = httpx.get(
                f"{key['realmUrl']}/b2api/v3/b2_authorize_account",
                auth=(key["keyId"], key["applicationKey"]),
            ).json()
            token = auth["authorizationToken"]
            large = _b2(
                key,
                "b2_start_large_file",
                token,
                {
                    "bucketId": key["bucketId"],
                    "fileName": initiated["storageKey"] + ".parts",
                    "contentType": "video/mp4",
                },
            )
            target = _b2(key, "b2_get_upload_part_url", token, {"fileId": large["fileId"]})
            part = b"a part of a lecture"
            sent = httpx.post(
                target["uploadUrl"],
                headers={
                    "Authorization": target["authorizationToken"],
                    "X-Bz-Part-Number": "1",
                    "X-Bz-Content-Sha1": hashlib.sha1(part).hexdigest(),
                },
                content=part,
            )
            assert sent.status_code == 200, sent.text
            blobs = data / "b2store" / "blobs"
            assert any(p.is_file() for p in (blobs / "parts").rglob("*"))
            assert any(p.is_file() for p in (blobs / "files").iterdir())
            loose = {str(p): oct(mode(p)) for p in [blobs, *blobs.rglob("*")] if mode(p) & 0o077}
            assert loose == {}
    finally:
        os.umask(previous)
