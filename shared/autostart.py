"""Start ReelDrop at login, the way each OS expects it, for the current user only.

- Linux (and other XDG desktops): ``$XDG_CONFIG_HOME/autostart/reeldrop.desktop``.
- macOS: ``~/Library/LaunchAgents/com.reeldrop.app.plist`` (RunAtLoad), read by launchd at
  the next login.
- Windows: the ``ReelDrop`` value under ``HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run``.

What starts is ``reeldrop gui --minimized``: the tray icon, which starts the daemon. The
same functions back ``reeldrop autostart enable|disable|status`` and the window's "start at
login" switch, so both always agree. ``platform`` may be injected so that every OS's code
path runs in tests on any machine.
"""

from __future__ import annotations

import importlib
import os
import plistlib
import subprocess
import sys
from pathlib import Path
from typing import Any, Protocol

from shared.desktop_entry import render
from shared.resources import app_command, app_icon

AUTOSTART_ARGS = ["gui", "--minimized"]
DESKTOP_FILE = "reeldrop.desktop"
LAUNCH_AGENT_LABEL = "com.reeldrop.app"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
RUN_VALUE = "ReelDrop"


class AutostartError(Exception):
    """The login item could not be written or removed; the message says where and why."""


class Registry(Protocol):
    """The few HKCU Run-key operations autostart needs (winreg on Windows, a fake in tests)."""

    def get(self, key: str, name: str) -> str | None: ...
    def set(self, key: str, name: str, value: str) -> None: ...
    def delete(self, key: str, name: str) -> None: ...


def _winreg() -> Any:
    """:mod:`winreg`, which exists only on Windows (typed loosely so other OSes type-check)."""
    return importlib.import_module("winreg")


class WinRegistry:
    """HKEY_CURRENT_USER through :mod:`winreg`."""

    def get(self, key: str, name: str) -> str | None:
        winreg = _winreg()
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, key) as handle:
                value, _kind = winreg.QueryValueEx(handle, name)
        except FileNotFoundError:
            return None
        return str(value)

    def set(self, key: str, name: str, value: str) -> None:
        winreg = _winreg()
        with winreg.CreateKey(winreg.HKEY_CURRENT_USER, key) as handle:
            winreg.SetValueEx(handle, name, 0, winreg.REG_SZ, value)

    def delete(self, key: str, name: str) -> None:
        winreg = _winreg()
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, key, 0, winreg.KEY_SET_VALUE) as handle:
                winreg.DeleteValue(handle, name)
        except FileNotFoundError:
            pass


def _kind(platform: str | None) -> str:
    name = platform or sys.platform
    if name.startswith("win"):
        return "windows"
    if name == "darwin":
        return "macos"
    return "xdg"


def login_command() -> list[str]:
    """The command run at login."""
    return [*app_command(background=True), *AUTOSTART_ARGS]


# -- Linux / XDG ---------------------------------------------------------------------------


def xdg_autostart_path() -> Path:
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "autostart" / DESKTOP_FILE


def xdg_autostart_entry(command: list[str]) -> str:
    return render(
        command, icon=str(app_icon()), extra=("X-GNOME-Autostart-enabled=true",)
    )


# -- macOS ---------------------------------------------------------------------------------


def launch_agent_path() -> Path:
    return Path.home() / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT_LABEL}.plist"


def launch_agent_plist(command: list[str]) -> bytes:
    return plistlib.dumps(
        {
            "Label": LAUNCH_AGENT_LABEL,
            "ProgramArguments": command,
            "RunAtLoad": True,
            "ProcessType": "Interactive",
        }
    )


# -- writing -------------------------------------------------------------------------------


def _write_private(path: Path, data: bytes) -> None:
    """Replace ``path`` atomically; the folder is created for this user only."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        raise AutostartError(f"could not write {path}: {exc.strerror or exc}") from exc


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise AutostartError(f"could not remove {path}: {exc.strerror or exc}") from exc


def enable(*, platform: str | None = None, registry: Registry | None = None) -> Path | str:
    """Start ReelDrop at login from now on; returns where that is recorded."""
    command = login_command()
    kind = _kind(platform)
    if kind == "windows":
        reg = registry or WinRegistry()
        try:
            reg.set(RUN_KEY, RUN_VALUE, subprocess.list2cmdline(command))
        except OSError as exc:
            raise AutostartError(f"could not write HKCU\\{RUN_KEY}\\{RUN_VALUE}: {exc}") from exc
        return f"HKCU\\{RUN_KEY}\\{RUN_VALUE}"
    if kind == "macos":
        path = launch_agent_path()
        _write_private(path, launch_agent_plist(command))
        return path
    path = xdg_autostart_path()
    _write_private(path, xdg_autostart_entry(command).encode("utf-8"))
    return path


def disable(*, platform: str | None = None, registry: Registry | None = None) -> None:
    """Stop starting ReelDrop at login; nothing happens when it was not enabled."""
    kind = _kind(platform)
    if kind == "windows":
        try:
            (registry or WinRegistry()).delete(RUN_KEY, RUN_VALUE)
        except OSError as exc:
            raise AutostartError(f"could not remove HKCU\\{RUN_KEY}\\{RUN_VALUE}: {exc}") from exc
        return
    _remove(launch_agent_path() if kind == "macos" else xdg_autostart_path())


def is_enabled(*, platform: str | None = None, registry: Registry | None = None) -> bool:
    """Whether ReelDrop starts at login (an entry that a desktop disabled counts as off)."""
    kind = _kind(platform)
    if kind == "windows":
        try:
            return bool((registry or WinRegistry()).get(RUN_KEY, RUN_VALUE))
        except OSError:
            return False
    if kind == "macos":
        return launch_agent_path().is_file()
    path = xdg_autostart_path()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return False
    lines = {line.strip().lower() for line in text.splitlines()}
    return "hidden=true" not in lines and "x-gnome-autostart-enabled=false" not in lines


def location(*, platform: str | None = None) -> Path | str:
    """Where the login item is (or would be) recorded, for messages."""
    kind = _kind(platform)
    if kind == "windows":
        return f"HKCU\\{RUN_KEY}\\{RUN_VALUE}"
    return launch_agent_path() if kind == "macos" else xdg_autostart_path()
