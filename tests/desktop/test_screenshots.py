"""The screenshot script renders every view and dialog in both palettes."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from desktop import screenshots

VIEWS = [
    "uploads",
    "uploads-empty",
    "library",
    "folders",
    "settings",
    "account",
    "sign-in",
    "daemon-down",
]
DIALOGS = [
    "dialog-course",
    "dialog-folder",
    "dialog-attach",
    "dialog-watch",
    "dialog-quit",
    "dialog-delete",
]


def test_every_view_and_dialog_in_light_and_dark(qtbot: QtBot, tmp_path: Path) -> None:
    assert screenshots.main([str(tmp_path)]) == 0
    for name in VIEWS + DIALOGS:
        light = QImage(str(tmp_path / f"{name}-light.png"))
        dark = QImage(str(tmp_path / f"{name}-dark.png"))
        assert not light.isNull() and not dark.isNull(), name
        assert light.width() >= 300 and light.height() >= 100, name
        # The palettes differ where it shows: the top-left pixel of each picture.
        assert light.pixelColor(2, 2).lightness() > dark.pixelColor(2, 2).lightness(), name
    window = QImage(str(tmp_path / "uploads-light.png"))
    assert window.width() >= 1000
