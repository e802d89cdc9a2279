"""One helper finds bundled tools and data files, in a checkout and in the frozen bundle."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from shared import resources
from shared.media.errors import FfmpegNotFound
from shared.media.ffmpeg_locator import find_ffmpeg, find_ffprobe

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


@pytest.fixture
def frozen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Pretend to be the PyInstaller app whose data root is tmp_path/_internal."""
    root = tmp_path / "_internal"
    root.mkdir()
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(root), raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "reeldrop"))
    monkeypatch.delenv("REELDROP_FFMPEG_DIR", raising=False)
    return root


def test_checkout_icons_exist_in_every_size() -> None:
    assert resources.app_icon().read_text(encoding="utf-8").lstrip().startswith("<svg")
    for size in SIZES:
        png = resources.app_icon(size).read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width = int.from_bytes(png[16:20], "big")
        assert width == size


def test_checkout_has_no_bundle() -> None:
    assert resources.bundle_dir() is None
    assert resources.bundled_tool("ffprobe") is None
    assert resources.app_command() == [sys.executable, "-m", "reeldrop"]


def test_frozen_paths_are_relative_to_the_bundle(frozen: Path) -> None:
    assert resources.bundle_dir() == frozen
    assert resources.bundled_tool("ffprobe") == frozen / "ffmpeg" / "ffprobe"
    assert resources.app_icon() == frozen / "shared" / "resources" / "icons" / "reeldrop.svg"
    assert resources.app_command() == [str(frozen.parent / "reeldrop")]


def test_frozen_app_uses_its_bundled_ffprobe(frozen: Path) -> None:
    tools = frozen / "ffmpeg"
    tools.mkdir()
    for name in ("ffprobe", "ffmpeg"):
        (tools / name).write_text("#!/bin/sh\n")
        (tools / name).chmod(stat.S_IRWXU)
    assert find_ffprobe() == tools / "ffprobe"
    assert find_ffmpeg() == tools / "ffmpeg"


def test_frozen_app_never_falls_back_to_other_ffprobes(
    frozen: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without its bundled ffprobe the frozen app says so, rather than using another one."""
    elsewhere = tmp_path / "bin"
    elsewhere.mkdir()
    (elsewhere / "ffprobe").write_text("#!/bin/sh\n")
    (elsewhere / "ffprobe").chmod(stat.S_IRWXU)
    monkeypatch.setenv("PATH", f"{elsewhere}{os.pathsep}{os.environ.get('PATH', '')}")
    with pytest.raises(FfmpegNotFound, match="application bundle") as caught:
        find_ffprobe()
    assert "PATH" not in str(caught.value)
    assert "shaka" not in str(caught.value)


def test_background_starts_on_windows_use_the_windowed_twin(
    frozen: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A console program started at login on Windows opens a console window: the login
    entry and the daemon the window starts use ``reeldropw.exe`` when the bundle has it."""
    from shared import autostart

    monkeypatch.setattr(sys, "executable", str(frozen.parent / "reeldrop.exe"))
    monkeypatch.setattr(sys, "platform", "win32")
    console = [str(frozen.parent / "reeldrop.exe")]
    assert resources.app_command(background=True) == console, "no twin: the console program"
    (frozen.parent / resources.WINDOWED_EXECUTABLE).write_bytes(b"MZ")
    assert resources.app_command(background=True) == [str(frozen.parent / "reeldropw.exe")]
    assert autostart.login_command()[0] == str(frozen.parent / "reeldropw.exe")
    assert resources.app_command() == console, "commands a person runs keep their console"
