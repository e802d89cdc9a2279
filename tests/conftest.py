"""Test-wide fixtures: isolated client directories, real test videos, real servers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Large-file tests use 1 MiB parts instead of B2's 5 MB so multi-part uploads stay small.
os.environ.setdefault("REELDROP_B2STORE_MIN_PART_SIZE", str(1 << 20))
os.environ.setdefault("REELDROP_B2STORE_RECOMMENDED_PART_SIZE", str(1 << 20))

from tests import videos as factory
from tests.support.live_server import LiveServer, live_server
from tests.support.postgres import PostgresUnavailable, postgres_server


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point REELDROP_HOME and the keyring at tmp_path so no test touches the real user."""
    home = tmp_path / "reeldrop-home"
    monkeypatch.setenv("REELDROP_HOME", str(home))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.setenv("QT_QPA_PLATFORM", os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    yield home


@pytest.fixture(scope="session", autouse=True)
def no_daemon_outlives_the_tests() -> Iterator[None]:
    from tests.support.daemon import DaemonProcess
    from tests.support.server_process import ServerProcess

    yield
    for daemon in DaemonProcess.started:
        daemon.stop()
    for server in ServerProcess.started:
        server.stop()


@pytest.fixture(scope="session")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Real videos of every kind the tests need, made once per session."""
    d = tmp_path_factory.mktemp("videos")
    made = {ext: factory.make_video(d / f"lecture.{ext}") for ext in ("mp4", "webm", "mov", "avi")}
    made["mkv"] = factory.make_video(d / "lecture.mkv")
    made["large"] = factory.make_video(d / "large.mp4", seconds=4, size_bytes=6_000_000)
    made["rotated"] = factory.make_video(d / "portrait.mp4", width=1280, height=720, rotate=90)
    made["hd"] = factory.make_video(d / "hd.mp4", width=1920, height=1080, seconds=1)
    made["tiny"] = factory.make_video(d / "tiny.mp4", width=160, height=120)
    made["audio_only"] = factory.make_audio_only(d / "podcast.mp4")
    made["truncated"] = factory.make_truncated(made["large"], d / "recording.mp4")
    made["text"] = factory.make_text_as_video(d / "notes.mp4")
    made["empty"] = factory.make_empty(d / "empty.mp4")
    return made


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    try:
        with postgres_server() as url:
            yield url
    except PostgresUnavailable as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI: {exc}")
        pytest.skip(str(exc))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """The real media server with its embedded store, on SQLite and on PostgreSQL."""
    url = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    data_dir = tmp_path_factory.mktemp(f"server-{request.param}")
    with live_server(data_dir, database_url=url, run_background=True) as live:
        yield live


@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("server"), run_background=True) as live:
        yield live
