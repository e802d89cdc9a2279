"""The app's SVG icons, shipped inside the package (crisp at any scale, HiDPI-safe)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon

RESOURCES = Path(__file__).resolve().parent / "resources"


def path(name: str) -> Path:
    return RESOURCES / f"{name}.svg"


@cache
def icon(name: str) -> QIcon:
    """``icon("tray-idle")`` -> the QIcon of ``resources/tray-idle.svg``."""
    found = path(name)
    if not found.is_file():
        raise FileNotFoundError(f"no icon named {name!r} in {RESOURCES}")
    made = QIcon(str(found))
    # The same picture when selected: the style's tinted version draws a box around SVGs.
    made.addFile(str(found), QSize(), QIcon.Mode.Selected)
    return made
