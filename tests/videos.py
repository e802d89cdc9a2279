"""Real test videos, made with the bundled ffmpeg: small, fast, and of every kind we accept
or reject. Tests get them through the ``videos`` fixture (tests/conftest.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from shared.media.ffmpeg_locator import find_ffmpeg

CODECS = {
    ".mp4": ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"],
    ".mov": ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"],
    ".webm": ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8"],
    ".avi": ["-c:v", "mpeg4"],
    ".mkv": ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"],
}
AUDIO = {".mp4": "aac", ".mov": "aac", ".webm": "libopus", ".avi": "mp3", ".mkv": "aac"}


def run_ffmpeg(args: list[str]) -> None:
    subprocess.run(
        [str(find_ffmpeg()), "-hide_banner", "-loglevel", "error", "-y", *args],
        check=True,
        stdin=subprocess.DEVNULL,
    )


def make_video(
    path: Path,
    *,
    seconds: float = 2,
    width: int = 640,
    height: int = 360,
    fps: int = 25,
    audio: bool = True,
    rotate: int | None = None,
    size_bytes: int | None = None,
) -> Path:
    """A real video; with ``size_bytes`` it is noisy and about that large (for uploads)."""
    ext = path.suffix.lower()
    source = (
        f"nullsrc=s={width}x{height}:r={fps}:d={seconds},geq=random(1)*255:128:128"
        if size_bytes
        else f"testsrc2=s={width}x{height}:r={fps}:d={seconds}"
    )
    args = ["-f", "lavfi", "-i", source]
    if audio:
        args += [
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:duration={seconds}",
            "-c:a",
            AUDIO.get(ext, "aac"),
            "-shortest",
        ]
    args += CODECS.get(ext, CODECS[".mp4"])
    if size_bytes:
        bitrate = int(size_bytes * 8 / seconds)
        args += [
            "-b:v",
            str(bitrate),
            "-minrate",
            str(bitrate),
            "-maxrate",
            str(bitrate),
            "-bufsize",
            str(bitrate),
        ]
        if ext in (".mp4", ".mov", ".mkv"):
            args += ["-x264-params", "nal-hrd=cbr"]
    run_ffmpeg([*args, str(path)])
    if rotate is not None:
        rotated = path.with_name(path.stem + ".rot" + path.suffix)
        run_ffmpeg(["-display_rotation", str(rotate), "-i", str(path), "-c", "copy", str(rotated)])
        rotated.replace(path)
    return path


def make_audio_only(path: Path, seconds: float = 2) -> Path:
    run_ffmpeg(
        ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}", "-c:a", "aac", str(path)]
    )
    return path


def make_truncated(source: Path, path: Path) -> Path:
    """The first half of a real video: what a recorder leaves mid-write or a cut copy is."""
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def make_text_as_video(path: Path) -> Path:
    path.write_text("These are lecture notes, not a video.\n" * 50, encoding="utf-8")
    return path


def make_empty(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def settled_copy(source: Path, path: Path) -> Path:
    """A copy of ``source`` last written a minute ago: past every quiet window, so the
    daemon asks the server about it while probing (a file still settling is not asked)."""
    shutil.copyfile(source, path)
    a_minute_ago = time.time() - 60
    os.utime(path, (a_minute_ago, a_minute_ago))
    return path
