"""Storage keys that can never leave the owner's prefix, whatever the uploaded name.

Names arrive from any operating system: path separators, ``..``, control characters,
unicode and absurd lengths are all reduced to a short, safe ASCII name.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime

MAX_STEM = 80
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class UnsafeFilename(ValueError):
    """Nothing usable is left of the name."""


def user_prefix(user_id: str) -> str:
    return f"videos/{user_id}/"


def base_name(filename: str) -> str:
    """The last path component, whichever separator the client's OS uses."""
    return re.split(r"[\\/]", filename)[-1]


def display_name(filename: str) -> str:
    """The name as the user gave it, minus path and control characters (kept for display)."""
    name = "".join(ch for ch in base_name(filename) if unicodedata.category(ch)[0] != "C")
    return name[:255] or "video"


def extension_of(filename: str) -> str:
    name = base_name(filename)
    return name.rsplit(".", 1)[-1].lower() if "." in name.strip(".") else ""


def safe_name(filename: str) -> str:
    name = base_name(filename)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    ascii_name = _UNSAFE.sub("-", ascii_name).strip(".-_")
    stem, dot, ext = ascii_name.rpartition(".")
    if not dot:
        stem, ext = ascii_name, ""
    stem = stem.strip(".-_")[:MAX_STEM] or "video"
    ext = ext[:10].lower()
    if not ext:
        raise UnsafeFilename(f"{filename!r} has no file extension")
    return f"{stem}.{ext}"


def storage_key(user_id: str, filename: str, session_key: str, now: datetime) -> str:
    digest = hashlib.sha256(session_key.encode("ascii")).hexdigest()[:12]
    key = f"{user_prefix(user_id)}{now:%Y%m%d%H%M%S}_{digest}_{safe_name(filename)}"
    if not key.startswith(user_prefix(user_id)) or ".." in key:
        raise UnsafeFilename(f"{filename!r} cannot be stored safely")
    return key


def thumbnail_key(video_key: str) -> str:
    return f"{video_key}.thumb.jpg"
