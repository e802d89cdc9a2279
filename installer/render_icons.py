"""Render the application icon's PNG sizes and the Windows .ico from its SVG (run after
changing the SVG); macOS's .icns is made from the PNGs by build-macos.sh (iconutil).

    .venv/bin/python installer/render_icons.py

Qt's SVG renderer is already a dependency, so no other tool is needed. The PNGs are
committed: desktop environments, the tray and the Windows/macOS icon files need bitmaps.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICONS = Path(__file__).resolve().parent.parent / "shared" / "resources" / "icons"


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv)
    renderer = QSvgRenderer(str(ICONS / "reeldrop.svg"))
    if not renderer.isValid():
        print("reeldrop.svg is not a valid SVG", file=sys.stderr)
        return 1
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        out = ICONS / f"reeldrop-{size}.png"
        if not image.save(str(out), "PNG"):
            print(f"could not write {out}", file=sys.stderr)
            return 1
    write_ico(ICONS / "reeldrop.ico")
    del app
    return 0


def write_ico(out: Path, sizes: tuple[int, ...] = (16, 24, 32, 48, 64, 128, 256)) -> None:
    """A Windows .ico holding the PNGs as they are (PNG entries, Windows Vista and later)."""
    images = [(size, (ICONS / f"reeldrop-{size}.png").read_bytes()) for size in sizes]
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries, blobs = b"", b""
    for size, png in images:
        edge = 0 if size >= 256 else size  # 0 means 256 in the directory entry
        entries += struct.pack("<BBBBHHII", edge, edge, 0, 0, 1, 32, len(png), offset)
        blobs += png
        offset += len(png)
    out.write_bytes(header + entries + blobs)


if __name__ == "__main__":
    raise SystemExit(main())
