"""Smoke test of the built application bundle, run from an unpacked copy of its archive with
no virtual environment on PATH: version, probe with the bundled ffprobe, and a headless
frozen daemon that uploads to a local server."""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.control.client import ControlClient
from tests.support.api import PASSWORD, add_user
from tests.support.bundle import bare_env, built_archive, unpack_copy
from tests.support.daemon import DaemonProcess, home_dirs, wait_until
from tests.support.live_server import LiveServer, live_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def frozen(tmp_path_factory: pytest.TempPathFactory) -> Path:
    archive = built_archive(tmp_path_factory.mktemp("bundle-build"))
    exe = unpack_copy(archive, tmp_path_factory.mktemp("bundle") / "Apps With Spaces")
    assert exe.is_file()
    return exe


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    environment = bare_env(tmp_path / "home")
    assert shutil.which("reeldrop", path=environment["PATH"]) is None
    assert "VIRTUAL_ENV" not in environment and ".venv" not in environment["PATH"]
    return environment


def run(exe: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(exe), *args], env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("bundle-server"), run_background=True) as live:
        yield live


def test_frozen_version(frozen: Path, env: dict[str, str]) -> None:
    result = run(frozen, "--version", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "reeldrop 0.1.0"


def test_a_command_without_a_window_starts_without_qt_or_packaging_tools(
    frozen: Path, env: dict[str, str]
) -> None:
    """Every `reeldrop upload` and `status` pays the bundle's start. PyInstaller's own
    run-time hooks imported PySide6.QtCore, setuptools and pkg_resources in every start
    (`status` took 0.17-0.19 s, 0.05 s without them): only the window and the tray may load
    Qt, and the bundle carries no packaging tools."""
    traced = run(frozen, "status", env={**env, "LD_DEBUG": "files"})
    assert traced.returncode == 3, traced.stderr[-2000:]  # it ran: no daemon to ask
    assert "daemon is not running" in traced.stderr
    loaded = re.findall(r"file=(.+?) \[0\];\s+(?:needed|dynamically loaded) by", traced.stderr)
    assert any("libpython3" in name for name in loaded), traced.stderr[-2000:]
    assert [name for name in loaded if re.search(r"qt6|pyside6|shiboken6", name, re.I)] == []

    from PyInstaller.archive.readers import CArchiveReader  # present: it built the bundle

    executable = CArchiveReader(str(frozen))
    at_start = {name for name, entry in executable.toc.items() if entry[-1] == "s"}
    assert "qt_paths" in at_start  # ReelDrop's own hook sets Qt's plugin path instead
    assert at_start.isdisjoint({"pyi_rth_pyside6", "pyi_rth_pkgres", "pyi_rth_setuptools"})
    modules = executable.open_embedded_archive("PYZ.pyz").toc
    packaging = {"setuptools", "pkg_resources", "_distutils_hack"}
    assert [name for name in modules if name.split(".")[0] in packaging] == []


def test_frozen_probe_uses_the_bundled_ffprobe(
    frozen: Path, env: dict[str, str], videos: dict[str, Path]
) -> None:
    result = run(frozen, "probe", "--json", str(videos["mp4"]), env=env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[0])
    assert report["ok"] is True, report
    assert report["metadata"]["width"] == 640 and report["metadata"]["codec"] == "h264"
    checks = json.loads(run(frozen, "doctor", "--json", env=env).stdout)["checks"]
    ffprobe = next(c for c in checks if c["name"] == "ffprobe")
    assert ffprobe["verdict"] == "ok"
    assert str(frozen.parent / "_internal" / "ffmpeg" / "ffprobe") in ffprobe["detail"]


def test_frozen_daemon_uploads_to_a_local_server(
    frozen: Path, env: dict[str, str], server: LiveServer, videos: dict[str, Path], tmp_path: Path
) -> None:
    daemon = DaemonProcess(tmp_path / "home" / "reeldrop", command=[str(frozen)], base_env=env)
    daemon.start(timeout=120)
    try:
        daemon.login(server.url, add_user(server), PASSWORD, "--insecure-storage")
        upload = daemon.cli("upload", "--wait", str(videos["mov"]), timeout=300)
        assert upload.returncode == 0, upload.stderr
        job = daemon.client().jobs()[0]
        assert job.state == "done" and job.media_file_id
        media = daemon.client().media()
        assert [m["id"] for m in media["items"]] == [job.media_file_id]
    finally:
        daemon.stop()


def test_missing_build_tools_skip_locally_and_fail_in_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "PyInstaller" else real(name)
    )

    def outcome() -> BaseException | None:
        try:
            built_archive(tmp_path)
        except BaseException as exc:  # pytest's skip and fail are BaseExceptions
            return exc
        return None

    monkeypatch.setenv("CI", "false")
    skipped = outcome()
    assert type(skipped) is pytest.skip.Exception, skipped
    assert "pyinstaller is not installed" in str(skipped)
    monkeypatch.setenv("CI", "true")
    failed = outcome()
    assert type(failed) is pytest.fail.Exception, failed
    assert "cannot be built in CI" in str(failed)


def test_frozen_window_starts_and_brings_up_its_daemon(
    frozen: Path, env: dict[str, str], tmp_path: Path
) -> None:
    """Qt and the window are in the bundle: `reeldrop gui` runs (offscreen) and starts the
    frozen daemon it needs."""
    home = Path(env["REELDROP_HOME"])
    gui = subprocess.Popen(
        [str(frozen), "gui"],
        env={**env, "QT_QPA_PLATFORM": "offscreen"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(
            lambda: ControlClient.from_runtime_dir(home_dirs(home)).ping(),
            120,
            "the frozen window did not start its daemon",
        )
        assert gui.poll() is None, gui.stderr.read() if gui.stderr else ""
    finally:
        gui.terminate()
        try:
            gui.wait(timeout=30)
        except subprocess.TimeoutExpired:
            gui.kill()
        with contextlib.suppress(Exception):
            ControlClient.from_runtime_dir(home_dirs(home)).shutdown()
