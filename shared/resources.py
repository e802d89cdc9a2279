"""Where ReelDrop's own files are, in a source checkout and in the frozen application.

The frozen application (PyInstaller, one folder) must never depend on the machine it was
built on: bundled tools, icons and data files are found relative to the running program,
and this module is the only place that knows the bundle's layout:

    <bundle>/reeldrop              the executable (window, daemon and CLI in one)
    <bundle>/_internal/ffmpeg/     ffmpeg and ffprobe           (``sys._MEIPASS/ffmpeg``)
    <bundle>/_internal/shared/resources/   icons, desktop entry (``sys._MEIPASS/shared/...``)

In a checkout the same names resolve inside the source tree.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

#: Folder of the bundled ffmpeg/ffprobe, relative to the bundle's data root.
TOOLS_FOLDER = "ffmpeg"
#: Folder of icons and other data files, relative to the package root / bundle data root.
RESOURCES_FOLDER = Path("shared") / "resources"


def is_frozen() -> bool:
    """True when running as the PyInstaller-built application."""
    return bool(getattr(sys, "frozen", False))


def bundle_dir() -> Path | None:
    """The frozen application's data root (``sys._MEIPASS``), or None from a checkout."""
    if not is_frozen():
        return None
    meipass = getattr(sys, "_MEIPASS", None)
    return Path(meipass) if meipass else Path(sys.executable).resolve().parent


def bundled_tool(name: str) -> Path | None:
    """Path where the bundle keeps ``name`` (``ffprobe``/``ffmpeg``), or None from a checkout."""
    root = bundle_dir()
    if root is None:
        return None
    return root / TOOLS_FOLDER / (f"{name}.exe" if os.name == "nt" else name)


def resource_path(*parts: str) -> Path:
    """A data file shipped with ReelDrop, e.g. ``resource_path("icons", "reeldrop.svg")``."""
    root = bundle_dir()
    base = root / RESOURCES_FOLDER if root is not None else Path(__file__).parent / "resources"
    return base.joinpath(*parts)


def app_icon(size: int | None = None) -> Path:
    """The application icon: the SVG, or the PNG of ``size`` pixels (16..512)."""
    if size is None:
        return resource_path("icons", "reeldrop.svg")
    return resource_path("icons", f"reeldrop-{size}.png")


#: Windows only: the same program built without a console, for what runs in the background.
WINDOWED_EXECUTABLE = "reeldropw.exe"


def app_command(*, background: bool = False) -> list[str]:
    """The command line that starts this same ReelDrop (used for autostart, desktop entries
    and for starting the daemon in the background), whichever way it is installed.

    ``background``: nobody reads its output (login start, the daemon started by the window).
    On Windows a console program opens a console window for that, so the frozen app uses its
    windowed twin ``reeldropw.exe`` there when the bundle has it."""
    if is_frozen():
        executable = Path(sys.executable).resolve()
        windowed = executable.with_name(WINDOWED_EXECUTABLE)
        if background and sys.platform == "win32" and windowed.is_file():
            return [str(windowed)]
        return [str(executable)]
    return [sys.executable, "-m", "reeldrop"]
