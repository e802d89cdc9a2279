"""Configuration errors name the variable; the `reeldrop server` commands work as documented."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from server.config import ConfigError, Settings


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"MAX_VIDEO_SIZE_MB": "lots"}, "MAX_VIDEO_SIZE_MB"),
        ({"MIN_VIDEO_WIDTH": "-1"}, "MIN_VIDEO_WIDTH"),
        ({"THUMBNAIL_GENERATION_ENABLED": "maybe"}, "THUMBNAIL_GENERATION_ENABLED"),
        ({"ALLOWED_VIDEO_FORMATS": "mp4,../x"}, "ALLOWED_VIDEO_FORMATS"),
        ({"CHUNK_SIZE_MB": "1"}, "CHUNK_SIZE_MB"),
        ({"BB_KEY_ID": "abc"}, "BB_APPLICATION_KEY"),
        ({"CDN_URL": "cdn.example.com"}, "CDN_URL"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
    ],
)
def test_bad_values_are_refused_naming_the_variable(
    tmp_path: Path, env: dict[str, str], named: str
) -> None:
    with pytest.raises(ConfigError, match=named):
        Settings.from_env(env, data_dir=tmp_path)


def test_defaults_and_secret_file(tmp_path: Path) -> None:
    settings = Settings.from_env({}, data_dir=tmp_path)
    assert settings.embedded_storage
    assert settings.policy.max_video_size_mb == 500
    assert settings.database_url == f"sqlite:///{tmp_path / 'server.sqlite'}"
    secret = tmp_path / "jwt-secret"
    assert secret.stat().st_mode & 0o777 == 0o600
    assert Settings.from_env({}, data_dir=tmp_path).jwt_secret == settings.jwt_secret
    assert settings.jwt_secret not in repr(settings)


def reeldrop(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reeldrop", *args],
        input=stdin,
        text=True,
        capture_output=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_server_commands_manage_users_courses_and_videos(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    added = reeldrop(
        "server",
        "user",
        "add",
        "Prof@Example.edu",
        "--role",
        "instructor",
        "--password-stdin",
        "--data-dir",
        data,
        stdin="s3cret-password\n",
    )
    assert added.returncode == 0, added.stderr
    again = reeldrop(
        "server",
        "user",
        "add",
        "prof@example.edu",
        "--role",
        "instructor",
        "--password-stdin",
        "--data-dir",
        data,
        stdin="s3cret-password\n",
    )
    assert again.returncode == 1 and "already exists" in again.stderr
    course = reeldrop(
        "server",
        "course",
        "add",
        "Thermodynamics",
        "--instructor",
        "prof@example.edu",
        "--data-dir",
        data,
    )
    assert course.returncode == 0, course.stderr
    video = reeldrop(
        "server", "video", "add", course.stdout.strip(), "Lecture 1", "--data-dir", data
    )
    assert video.returncode == 0 and len(video.stdout.strip()) == 36
    missing = reeldrop("server", "video", "add", "no-such-course", "x", "--data-dir", data)
    assert missing.returncode == 1 and "no course" in missing.stderr
    via_env = reeldrop("server", "migrate", env={"REELDROP_DATA_DIR": data})
    assert via_env.returncode == 0


def test_storage_info_prints_the_embedded_master_key(tmp_path: Path) -> None:
    info = reeldrop("server", "storage-info", "--data-dir", str(tmp_path), "--json")
    assert info.returncode == 0, info.stderr
    data = json.loads(info.stdout)
    assert set(data) == {"realmUrl", "keyId", "applicationKey", "bucketName", "bucketId"}
    assert data["bucketId"]
    assert data["realmUrl"] == "http://127.0.0.1:8750"
    key_file = tmp_path / "b2store" / "master-key.json"
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_storage_info_names_the_url_the_server_serves(tmp_path: Path) -> None:
    from tests.support.live_server import live_server

    with live_server(tmp_path) as live:
        assert not live.url.endswith(":8750")
        info = reeldrop("server", "storage-info", "--data-dir", str(tmp_path), "--json")
        assert info.returncode == 0, info.stderr
        assert json.loads(info.stdout)["realmUrl"] == live.url
        given = reeldrop(
            "server", "storage-info", "--data-dir", str(tmp_path), "--json", "--url", "http://x:1"
        )
        assert json.loads(given.stdout)["realmUrl"] == "http://x:1"


def test_bad_configuration_stops_start_up_with_the_variable_named(tmp_path: Path) -> None:
    result = reeldrop(
        "server",
        "migrate",
        "--data-dir",
        str(tmp_path),
        env={"MAX_VIDEO_DURATION_SECONDS": "two hours"},
    )
    assert result.returncode == 2
    assert "MAX_VIDEO_DURATION_SECONDS" in result.stderr


def test_version() -> None:
    result = reeldrop("--version")
    assert result.returncode == 0 and result.stdout.startswith("reeldrop ")
