"""Which names a watched folder never takes: temporary, system and hidden files, and videos
the server's policy would refuse anyway. Pure functions on names, so they are cheap enough
to run on every filesystem event."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePath

UPLOADED_DIR = "Uploaded"
TEMP_SUFFIXES = (".part", ".crdownload", ".tmp", ".partial", ".download", ".swp")
SYSTEM_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini", "$recycle.bin"})


def ignored_name(name: str) -> bool:
    """A name (file or folder) that is never a finished lecture, whatever its extension."""
    lower = name.lower()
    return (
        name.startswith((".", "~$"))
        or lower in SYSTEM_NAMES
        or lower.endswith(TEMP_SUFFIXES)
        or lower.endswith("~")
    )


def ignored_dir(name: str, *, at_root: bool, skip_uploaded: bool) -> bool:
    """Folders not descended into: hidden/system ones, and the ``Uploaded`` folder that
    files are moved to after upload (only where the folder moves them there)."""
    return ignored_name(name) or (at_root and skip_uploaded and name == UPLOADED_DIR)


def wanted_file(
    relative: PurePath, allowed_formats: Iterable[str], *, skip_uploaded: bool = False
) -> bool:
    """Is this file (its path relative to the watched root) a video the folder should take?"""
    parts = relative.parts
    if not parts:
        return False
    for depth, part in enumerate(parts[:-1]):
        if ignored_dir(part, at_root=depth == 0, skip_uploaded=skip_uploaded):
            return False
    name = parts[-1]
    if ignored_name(name):
        return False
    suffix = PurePath(name).suffix.lower().lstrip(".")
    return bool(suffix) and suffix in {f.lower().lstrip(".") for f in allowed_formats}
