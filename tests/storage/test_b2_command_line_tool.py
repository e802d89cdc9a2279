"""Backblaze's own `b2` command-line tool, as a separate process, against the embedded store."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from server.b2store.bootstrap import storage_info
from tests.storage.conftest import random_file
from tests.support.live_server import LiveServer

B2 = shutil.which("b2", path=str(Path(sys.executable).parent)) or "b2"


def test_b2_cli_uploads_in_parts_lists_and_downloads_identical(
    store: LiveServer, tmp_path: Path
) -> None:
    info = storage_info(store.data_dir, store.url)
    env = {
        **os.environ,
        "B2_ENVIRONMENT": store.url,
        "HOME": str(tmp_path),
        "B2_ACCOUNT_INFO": str(tmp_path / "account.sqlite"),
    }

    def b2(*args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([B2, *args], env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"b2 {args[0]}: {result.stderr[-1000:]}"
        return result

    b2("account", "authorize", info["keyId"], info["applicationKey"])
    src = random_file(tmp_path / "lecture.mp4", 3 * (1 << 20) + 11)
    b2("file", "upload", "--threads", "2", info["bucketName"], str(src), "videos/cli/lecture.mp4")
    stored = [
        f
        for f in store.app.state.storage.api()
        .get_bucket_by_name(info["bucketName"])
        .ls("videos/cli/", recursive=True)
    ]
    assert stored[0][0].content_sha1 in (None, "none"), "sent as a multi-part large file"
    listing = b2("ls", "-r", f"b2://{info['bucketName']}/videos/")
    assert "videos/cli/lecture.mp4" in listing.stdout
    out = tmp_path / "downloaded.mp4"
    b2("file", "download", f"b2://{info['bucketName']}/videos/cli/lecture.mp4", str(out))
    assert out.read_bytes() == src.read_bytes()


def test_b2_cli_uploads_with_the_session_key_and_is_held_to_its_prefix(
    store: LiveServer, tmp_path: Path, videos: dict[str, Path]
) -> None:
    from tests.support.api import new_account

    account = new_account(store)
    src = videos["mp4"]  # complete accepts only what starts like the promised container
    init = account.post(
        "/api/v1/media/upload/initiate",
        json={
            "filename": "lecture.mp4",
            "fileSize": src.stat().st_size,
            "contentType": "video/mp4",
        },
    )
    assert init.status_code == 200, init.text
    data = init.json()["data"]
    key = data["b2"]
    env = {
        **os.environ,
        "B2_ENVIRONMENT": key["realmUrl"],
        "HOME": str(tmp_path),
        "B2_ACCOUNT_INFO": str(tmp_path / "account.sqlite"),
    }

    def b2(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([B2, *args], env=env, capture_output=True, text=True, timeout=120)

    authorized = b2("account", "authorize", key["keyId"], key["applicationKey"])
    assert authorized.returncode == 0, authorized.stderr[-1000:]
    uploaded = b2("file", "upload", key["bucketName"], str(src), data["storageKey"])
    assert uploaded.returncode == 0, uploaded.stderr[-1000:]
    done = account.post(
        "/api/v1/media/upload/complete",
        json={"sessionKey": data["sessionKey"], "storageKey": data["storageKey"]},
    )
    assert done.status_code == 200, done.text
    outside = b2("file", "upload", key["bucketName"], str(src), "videos/someone-else/x.mp4")
    assert outside.returncode != 0
    assert "unauthorized" in (outside.stderr + outside.stdout).lower()
