"""Recognise a video container from its first bytes, before ffprobe guesses from the name.

A text file renamed ``.mp4`` and a recording cut short both make ffprobe say "moov atom not
found"; only the header tells them apart (the cut recording still starts with ``ftyp``).
"""

from __future__ import annotations

from pathlib import Path

EBML = b"\x1a\x45\xdf\xa3"
MP4_BOXES = (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot")


HEAD_BYTES = 16
FAMILY_BY_EXTENSION = {
    "mp4": "mp4",
    "mov": "mp4",
    "m4v": "mp4",
    "mkv": "matroska",
    "webm": "matroska",
    "avi": "avi",
}


def sniff_container(path: Path) -> str | None:
    """'mp4' (ISO media, also .mov), 'matroska' (also .webm), 'avi', or None."""
    with open(path, "rb") as handle:
        return sniff_head(handle.read(HEAD_BYTES))


def sniff_head(head: bytes) -> str | None:
    """The container family of a file's first ``HEAD_BYTES`` bytes, or None."""
    if len(head) >= 8 and head[4:8] in MP4_BOXES:
        return "mp4"
    if head.startswith(EBML):
        return "matroska"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "avi"
    return None
