"""Videos go from disk to storage and the server through a real daemon process."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.daemon.conftest import SignedIn
from tests.support.api import sign_in
from tests.videos import make_video


def test_cli_upload_of_several_formats_ends_with_owned_probed_media(
    signed_in: SignedIn, videos: dict[str, Path]
) -> None:
    files = [videos[k] for k in ("mp4", "webm", "mov", "avi", "rotated")]
    daemon = signed_in.daemon
    result = subprocess.run(  # as a user runs it, with Python telling what it imported
        [*daemon.command, "upload", *map(str, files), "--wait"],
        env={**daemon.env, "PYTHONPROFILEIMPORTTIME": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()}
    assert "pydantic" not in imported, "the command spent CPU building the wire schemas"
    assert all(f"{path}: done: http" in result.stdout for path in files), result.stdout
    status = json.loads(signed_in.daemon.cli("status", "--json").stdout)
    jobs = {Path(j["path"]).name: j for j in status["jobs"]}
    assert {j["state"] for j in jobs.values()} == {"done"}
    for job in jobs.values():
        assert set(job) >= {
            "id",
            "path",
            "state",
            "bytesSent",
            "totalBytes",
            "mediaFileId",
            "error",
        }
        assert job["bytesSent"] == job["totalBytes"] > 0
    account = sign_in(signed_in.server, signed_in.email)
    for path in files:
        media = account.get(f"/api/v1/media/media/{jobs[path.name]['mediaFileId']}").json()
        media = media["data"]
        assert media["userId"] == account.user_id
        assert media["fileSize"] == path.stat().st_size
        assert media["contentSha1"] == hashlib.sha1(path.read_bytes()).hexdigest()
        assert media["thumbnailUrl"], "a thumbnail was uploaded beside the video"
        served = httpx.get(media["cdnUrl"])
        assert served.content == path.read_bytes()
    portrait = account.get(f"/api/v1/media/media/{jobs['portrait.mp4']['mediaFileId']}")
    assert (portrait.json()["data"]["width"], portrait.json()["data"]["height"]) == (720, 1280)
    assert portrait.json()["data"]["videoQuality"] == "720p"
    thumb = httpx.get(
        account.get(f"/api/v1/media/media/{jobs['lecture.mp4']['mediaFileId']}").json()["data"][
            "thumbnailUrl"
        ]
    )
    assert thumb.content[:3] == b"\xff\xd8\xff", "the thumbnail is a JPEG"


def test_the_same_content_again_is_a_duplicate_not_a_second_upload(
    signed_in: SignedIn, videos: dict[str, Path], tmp_path: Path
) -> None:
    first = signed_in.daemon.cli("upload", str(videos["mp4"]), "--wait")
    assert first.returncode == 0, first.stderr
    copy = tmp_path / "renamed copy.mp4"
    copy.write_bytes(videos["mp4"].read_bytes())
    second = signed_in.daemon.cli("upload", str(copy), "--wait")
    assert second.returncode == 0, second.stderr
    jobs = signed_in.daemon.client().jobs()
    assert [j.state for j in jobs] == ["done", "duplicate"]
    assert jobs[1].duplicate_of == jobs[0].media_file_id
    account = sign_in(signed_in.server, signed_in.email)
    assert account.get("/api/v1/media/user/media").json()["data"]["total"] == 1


def aged(path: Path) -> Path:
    """Make a file look finished long ago (not a recording that is still growing)."""
    old = time.time() - 3600
    os.utime(path, (old, old))
    return path


def test_every_rejection_is_explained_and_nothing_is_uploaded(
    signed_in: SignedIn, videos: dict[str, Path], tmp_path: Path
) -> None:
    long_video = make_video(
        tmp_path / "long.mp4", seconds=31, width=320, height=240, fps=1, audio=False
    )
    cases = {
        aged(videos["truncated"]): "unreadable",
        videos["audio_only"]: "no_video_stream",
        videos["text"]: "unsupported_format",
        videos["empty"]: "empty_file",
        videos["tiny"]: "resolution_too_low",
        long_video: "duration_too_long",
        videos["mkv"]: "unsupported_format",
    }
    missing = signed_in.daemon.cli("upload", str(tmp_path / "missing.mp4"), str(long_video))
    assert missing.returncode == 1
    assert "missing.mp4 does not exist" in missing.stderr
    assert signed_in.daemon.client().jobs() == []  # refused before any job was created
    result = signed_in.daemon.cli("upload", *map(str, cases), "--wait")
    assert result.returncode == 1
    jobs = {Path(j.path): j for j in signed_in.daemon.client().jobs()}
    for path, code in cases.items():
        job = jobs[path.resolve()]
        assert job.error is not None, path.name
        assert (job.state, job.error.code) == ("rejected", code), (path.name, job.error)
        assert path.name in job.error.message
        assert f"{path.resolve()}: rejected: " in result.stdout
    account = sign_in(signed_in.server, signed_in.email)
    assert account.get("/api/v1/media/user/media").json()["data"]["total"] == 0


@pytest.mark.parametrize("mode", ["fail_some_uploads", "expire_some_account_authorization_tokens"])
def test_uploads_complete_through_injected_storage_faults(
    stack_server: object, tmp_path: Path, videos: dict[str, Path], mode: str
) -> None:
    from tests.support.api import PASSWORD, add_user
    from tests.support.daemon import DaemonProcess

    server = stack_server
    email = add_user(server)  # type: ignore[arg-type]
    daemon = DaemonProcess(tmp_path / "home", env={"REELDROP_B2_TEST_MODE": mode}).start()
    try:
        daemon.login(server.url, email, PASSWORD)  # type: ignore[attr-defined]
        result = daemon.cli("upload", str(videos["large"]), "--wait")
        assert result.returncode == 0, result.stderr
        assert daemon.client().jobs()[0].state == "done"
    finally:
        daemon.stop()
