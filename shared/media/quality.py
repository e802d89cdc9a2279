"""Quality tiers from the displayed size, as course pages label them."""

from __future__ import annotations

TIERS: tuple[tuple[str, int, int], ...] = (
    ("4k", 3840, 2160),
    ("1080p", 1920, 1080),
    ("720p", 1280, 720),
    ("480p", 854, 480),
)
TOLERANCE = 0.95  # a video about 5% under a tier (cropped, letterboxed) still reaches it


def quality_tier(display_width: int, display_height: int) -> str:
    """The highest tier the video reaches on its long side or its short side; else 360p."""
    long_side, short_side = max(display_width, display_height), min(display_width, display_height)
    for name, tier_long, tier_short in TIERS:
        if long_side >= tier_long * TOLERANCE or short_side >= tier_short * TOLERANCE:
            return name
    return "360p"
