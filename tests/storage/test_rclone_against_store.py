"""rclone (a widely used third-party B2 client, speaking B2's v1 API) against the store."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from server.b2store.bootstrap import storage_info
from tests.storage.conftest import random_file
from tests.support.live_server import LiveServer


def _rclone() -> str:
    found = shutil.which("rclone")
    if found is None and os.geteuid() == 0:
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "rclone"],
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            capture_output=True,
            check=False,
        )
        found = shutil.which("rclone")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("rclone is required in CI (scripts/ensure-system-deps.sh installs it)")
        pytest.skip("rclone is not installed (apt-get install rclone)")
    return found


@pytest.fixture
def rclone(store: LiveServer, tmp_path: Path) -> object:
    binary = _rclone()
    info = storage_info(store.data_dir, store.url)
    config = tmp_path / "rclone.conf"
    config.write_text("")
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "RCLONE_CONFIG": str(config),
        "RCLONE_CONFIG_STORE_TYPE": "b2",
        "RCLONE_CONFIG_STORE_ACCOUNT": info["keyId"],
        "RCLONE_CONFIG_STORE_KEY": info["applicationKey"],
        "RCLONE_CONFIG_STORE_ENDPOINT": store.url,
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [binary, "--low-level-retries", "2", "--retries", "1", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, f"rclone {args[0]}: {result.stderr[-1500:]}"
        return result

    return run


def test_rclone_uploads_lists_downloads_and_moves(rclone: object, tmp_path: Path) -> None:
    run = rclone  # type: ignore[assignment]
    small = random_file(tmp_path / "small.mp4", 300_000)
    large = random_file(tmp_path / "large.mp4", 11 * 1024 * 1024 + 7)
    base = "store:reeldrop-media/videos/rclone"
    run("copyto", str(small), f"{base}/small.mp4")  # type: ignore[operator]
    run(  # type: ignore[operator]
        "copyto",
        "--b2-upload-cutoff",
        "5M",
        "--b2-chunk-size",
        "5M",
        str(large),
        f"{base}/large.mp4",
    )
    listing = json.loads(run("lsjson", base).stdout)  # type: ignore[operator]
    sizes = {entry["Name"]: entry["Size"] for entry in listing}
    assert sizes == {"small.mp4": 300_000, "large.mp4": large.stat().st_size}
    for name, src in (("small.mp4", small), ("large.mp4", large)):
        out = tmp_path / f"back-{name}"
        run("copyto", f"{base}/{name}", str(out))  # type: ignore[operator]
        assert out.read_bytes() == src.read_bytes()
    run("moveto", f"{base}/small.mp4", f"{base}/moved.mp4")  # type: ignore[operator]
    names = {e["Name"] for e in json.loads(run("lsjson", base).stdout)}  # type: ignore[operator]
    assert names == {"moved.mp4", "large.mp4"}
    out = tmp_path / "moved.mp4"
    run("copyto", f"{base}/moved.mp4", str(out))  # type: ignore[operator]
    assert out.read_bytes() == small.read_bytes()
