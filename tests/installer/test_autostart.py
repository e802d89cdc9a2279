"""Autostart: each OS's login item is written, read back and removed, for this user only."""

from __future__ import annotations

import os
import plistlib
import subprocess
import sys
from pathlib import Path

import pytest

from shared import autostart
from shared.desktop_entry import desktop_exec
from tests.support.desktop_entries import parse_exec


@pytest.fixture
def xdg_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "xdg-config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return config


class FakeRegistry:
    """HKCU stand-in: the Windows registry cannot run here."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], str] = {}

    def get(self, key: str, name: str) -> str | None:
        return self.values.get((key, name))

    def set(self, key: str, name: str, value: str) -> None:
        self.values[(key, name)] = value

    def delete(self, key: str, name: str) -> None:
        self.values.pop((key, name), None)


def _exec_line(entry: str) -> list[str]:
    line = next(x for x in entry.splitlines() if x.startswith("Exec="))
    return parse_exec(line.removeprefix("Exec="))


def test_xdg_entry_is_written_read_back_and_removed(xdg_config: Path) -> None:
    assert not autostart.is_enabled(platform="linux")
    where = autostart.enable(platform="linux")
    assert where == xdg_config / "autostart" / "reeldrop.desktop"
    entry = Path(where).read_text(encoding="utf-8")
    assert entry.startswith("[Desktop Entry]\n")
    assert "Type=Application" in entry and "Terminal=false" in entry
    assert _exec_line(entry)[-2:] == ["gui", "--minimized"]
    assert Path(where).stat().st_mode & 0o077 == 0
    assert autostart.is_enabled(platform="linux")
    autostart.disable(platform="linux")
    assert not Path(where).exists()
    assert not autostart.is_enabled(platform="linux")
    autostart.disable(platform="linux")  # disabling twice is fine


def test_xdg_entry_runs_this_reeldrop(xdg_config: Path) -> None:
    """The Exec line starts this very installation (checked with --version instead of gui)."""
    where = autostart.enable(platform="linux")
    argv = _exec_line(Path(where).read_text(encoding="utf-8"))
    result = subprocess.run(
        [*argv[:-2], "--version"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("reeldrop ")


def test_xdg_entry_switched_off_by_the_desktop_counts_as_disabled(xdg_config: Path) -> None:
    where = Path(autostart.enable(platform="linux"))
    where.write_text(where.read_text() + "Hidden=true\n")
    assert not autostart.is_enabled(platform="linux")


def test_exec_quoting_survives_spaces_and_specials() -> None:
    args = ["/opt/Reel Drop/reeldrop", "50%", 'say "hi"', "$HOME", "%F"]
    line = desktop_exec(args)
    assert line.endswith(" %F")
    assert parse_exec(line) == args


def test_macos_launch_agent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    where = autostart.enable(platform="darwin")
    assert where == tmp_path / "Library" / "LaunchAgents" / "com.reeldrop.app.plist"
    plist = plistlib.loads(Path(where).read_bytes())
    assert plist["Label"] == "com.reeldrop.app"
    assert plist["RunAtLoad"] is True
    assert plist["ProgramArguments"] == autostart.login_command()
    assert plist["ProgramArguments"][-2:] == ["gui", "--minimized"]
    assert autostart.is_enabled(platform="darwin")
    autostart.disable(platform="darwin")
    assert not autostart.is_enabled(platform="darwin")


def test_windows_run_key() -> None:
    registry = FakeRegistry()
    assert not autostart.is_enabled(platform="win32", registry=registry)
    where = autostart.enable(platform="win32", registry=registry)
    assert where == r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run\ReelDrop"
    value = registry.values[(r"Software\Microsoft\Windows\CurrentVersion\Run", "ReelDrop")]
    assert value == subprocess.list2cmdline(autostart.login_command())
    assert value.endswith(" gui --minimized")
    assert autostart.is_enabled(platform="win32", registry=registry)
    autostart.disable(platform="win32", registry=registry)
    assert not registry.values
    assert not autostart.is_enabled(platform="win32", registry=registry)


def test_unwritable_location_is_a_clear_error(xdg_config: Path) -> None:
    xdg_config.parent.mkdir(parents=True, exist_ok=True)
    xdg_config.write_text("not a folder")
    with pytest.raises(autostart.AutostartError, match=r"could not write .*reeldrop\.desktop"):
        autostart.enable(platform="linux")


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reeldrop", "autostart", *args],
        env=env, capture_output=True, text=True, timeout=120,
    )


def test_cli_enable_status_disable(xdg_config: Path) -> None:
    env = dict(os.environ)
    assert _cli("status", env=env).stdout.strip() == "disabled"
    enabled = _cli("enable", env=env)
    assert enabled.returncode == 0, enabled.stderr
    assert str(xdg_config / "autostart" / "reeldrop.desktop") in enabled.stdout
    status = _cli("status", env=env)
    assert status.stdout.startswith("enabled (")
    assert _cli("disable", env=env).returncode == 0
    assert _cli("status", env=env).stdout.strip() == "disabled"


def test_cli_error_is_one_line_not_a_traceback(xdg_config: Path) -> None:
    xdg_config.parent.mkdir(parents=True, exist_ok=True)
    xdg_config.write_text("not a folder")
    result = _cli("enable", env=dict(os.environ))
    assert result.returncode == 1
    assert result.stderr.startswith("reeldrop autostart enable: could not write")
    assert "Traceback" not in result.stderr
