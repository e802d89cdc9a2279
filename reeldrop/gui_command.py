"""``reeldrop gui [--minimized]``: the desktop app (and ``reeldrop`` alone on a desktop)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any


def display_present() -> bool:
    """A desktop to draw on: always on macOS and Windows, DISPLAY/WAYLAND_DISPLAY on Linux."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def gui(args: argparse.Namespace) -> int:
    from desktop.app import run
    from reeldrop.daemon_process import spawn_daemon

    return run(minimized=bool(getattr(args, "minimized", False)), start_daemon=spawn_daemon)


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    p = subparsers.add_parser("gui", help="open the ReelDrop window (starts the daemon if needed)")
    p.add_argument(
        "--minimized", action="store_true", help="start with only the tray icon (for login)"
    )
    p.set_defaults(handler=gui)
