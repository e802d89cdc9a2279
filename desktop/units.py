"""Human units for the window: sizes, rates, clock durations, ETAs (``humanize`` does sizes)."""

from __future__ import annotations

import humanize


def size(num_bytes: int | float | None) -> str:
    """12345678 -> '12.3 MB' (decimal units, as file managers and the CLI show them)."""
    if num_bytes is None:
        return ""
    return str(humanize.naturalsize(num_bytes, format="%.1f"))


def rate(bytes_per_second: float | None) -> str:
    """12_300_000 -> '12.3 MB/s'; nothing when no rate is known."""
    if not bytes_per_second:
        return ""
    return f"{size(bytes_per_second)}/s"


def clock(seconds: float | None) -> str:
    """5025 -> '1:23:45', 83 -> '1:23'; the way video players show a length."""
    if seconds is None:
        return ""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def eta(seconds: float | None) -> str:
    """Time left as people say it: '45 s', '3 min', '1 h 5 min'."""
    if seconds is None or seconds < 0:
        return ""
    total = round(seconds)
    if total < 60:
        return f"{total} s"
    if total < 3600:
        return f"{round(total / 60)} min"
    hours, rest = divmod(total, 3600)
    minutes = round(rest / 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def resolution(width: int | None, height: int | None) -> str:
    return f"{width}×{height}" if width and height else ""  # noqa: RUF001
