"""What an operator reads in the log of ``reeldrop server serve`` over one whole upload."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx

from shared.media.hashing import sha1_file
from tests.support.api import PASSWORD, processed_media
from tests.support.b2 import initiate_body, upload_as_client
from tests.support.server_process import ServerProcess


def test_an_upload_leaves_no_storage_library_chatter_in_the_server_log(
    tmp_path: Path, videos: dict[str, Path]
) -> None:
    """``complete`` and processing read the stored video through b2sdk, whose downloader
    logs eleven INFO lines of download statistics per read: two reads per upload would bury
    the server's own lines (which library lines stay is tests/daemon/test_units.py's)."""
    path = videos["mp4"]
    server = ServerProcess(tmp_path / "server").start()
    try:
        email = server.add_user()
        login = httpx.post(
            f"{server.url}/api/v1/auth/login", json={"email": email, "password": PASSWORD}
        )
        with httpx.Client(
            base_url=server.url,
            timeout=120,
            headers={"Authorization": f"Bearer {login.json()['data']['accessToken']}"},
        ) as client:
            initiated = client.post(
                "/api/v1/media/upload/initiate", json=initiate_body(path, sha1_file(path))
            ).json()["data"]
            upload_as_client(initiated, path)
            keys = {"sessionKey": initiated["sessionKey"], "storageKey": initiated["storageKey"]}
            done = client.post("/api/v1/media/upload/complete", json=keys)
            assert done.status_code == 200, done.text
            media = processed_media(client, done.json()["data"]["id"], timeout=120)
            assert media["status"] == "ready", media  # both reads of the stored video ran
    finally:
        server.stop()
    log = server.log.read_text()
    # The server's logging reaches this file: the database migrations log at INFO at start.
    assert "INFO alembic.runtime.migration: Running upgrade" in log
    # The upload above was received on uvloop's loop (the operator's log says which), the
    # loop the store's pace is measured on (docs/PERFORMANCE.md, "The store on uvloop,
    # its reads copied once").
    if sys.platform != "win32":
        assert "INFO server.app: event loop: uvloop.Loop" in log
    chatter = [line for line in log.splitlines() if "download stats" in line]
    assert not chatter, f"{len(chatter)} lines of b2sdk download statistics, e.g. {chatter[0]}"
