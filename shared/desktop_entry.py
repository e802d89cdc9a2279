"""Freedesktop desktop entries: the applications-menu entry with "Open with ReelDrop" for
videos, and the same format for the XDG autostart entry.

``install()`` puts ``reeldrop.desktop`` in ``$XDG_DATA_HOME/applications`` and the icon set
in ``$XDG_DATA_HOME/icons/hicolor``, for the current user; the bundle's ``install.sh`` and
``reeldrop desktop-entry install`` call it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from shared.resources import app_command, app_icon

ENTRY_NAME = "reeldrop.desktop"
ICON_NAME = "reeldrop"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
#: The containers the platform accepts (see ALLOWED_VIDEO_FORMATS).
VIDEO_MIME_TYPES = (
    "video/mp4",
    "video/quicktime",
    "video/webm",
    "video/x-msvideo",
    "video/x-matroska",
    "video/x-m4v",
)
#: What "Open with ReelDrop" runs: queue the chosen files (the daemon starts if needed).
OPEN_WITH_ARGS = ["upload", "%F"]
_SPECIAL = ' \t\n"\'\\><~|&;$*?#()`'


def desktop_exec(args: list[str]) -> str:
    """Quote a command for ``Exec=`` as the Desktop Entry Specification says."""
    quoted = []
    for arg in args:
        if len(arg) == 2 and arg.startswith("%"):  # field codes such as %F stay as they are
            quoted.append(arg)
            continue
        text = arg.replace("%", "%%")
        if any(c in text for c in _SPECIAL):
            for special in ("\\", '"', "`", "$"):
                text = text.replace(special, "\\" + special)
            text = f'"{text}"'
        quoted.append(text)
    return " ".join(quoted)


def render(command: list[str], *, icon: str, mime_types: tuple[str, ...] = (),
           extra: tuple[str, ...] = ()) -> str:
    """A complete entry for ``command`` (a list of arguments)."""
    lines = [
        "[Desktop Entry]",
        "Type=Application",
        "Name=ReelDrop",
        "GenericName=Lecture video uploader",
        "Comment=Upload lecture videos to the course platform",
        f"Exec={desktop_exec(command)}",
        f"Icon={icon}",
        "Terminal=false",
        "Categories=AudioVideo;Video;Education;",
    ]
    if mime_types:
        lines.append(f"MimeType={';'.join(mime_types)};")
    lines.extend(extra)
    return "\n".join([*lines, ""])


def application_entry() -> str:
    """The applications-menu entry; opening videos with it queues them for upload."""
    return render(
        [*app_command(), *OPEN_WITH_ARGS], icon=ICON_NAME, mime_types=VIDEO_MIME_TYPES,
        extra=("StartupNotify=false", "Keywords=upload;lecture;video;course;"),
    )


def data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def install(base: Path | None = None) -> list[Path]:
    """Write the entry and the icons for this user; returns the files written."""
    root = base or data_home()
    written = []
    entry = root / "applications" / ENTRY_NAME
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.write_text(application_entry(), encoding="utf-8")
    written.append(entry)
    for size in ICON_SIZES:
        target = root / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{ICON_NAME}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(app_icon(size), target)
        written.append(target)
    scalable = root / "icons" / "hicolor" / "scalable" / "apps" / f"{ICON_NAME}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(app_icon(), scalable)
    written.append(scalable)
    _refresh_caches(root)
    return written


def remove(base: Path | None = None) -> None:
    root = base or data_home()
    (root / "applications" / ENTRY_NAME).unlink(missing_ok=True)
    for size in ICON_SIZES:
        (root / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{ICON_NAME}.png").unlink(
            missing_ok=True
        )
    (root / "icons" / "hicolor" / "scalable" / "apps" / f"{ICON_NAME}.svg").unlink(
        missing_ok=True
    )
    _refresh_caches(root)


def _refresh_caches(root: Path) -> None:
    """Tell the desktop about the change when its tools are installed (optional)."""
    tool = shutil.which("update-desktop-database")
    if tool:
        subprocess.run([tool, str(root / "applications")], capture_output=True, check=False,
                       timeout=60)
