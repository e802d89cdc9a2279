"""Downloads never run as pages on the API's origin.

The store serves whatever content type an uploader declared, from the same origin as the
media API. A ``text/html`` or ``image/svg+xml`` object shown inline would run its script
there (stored XSS). So every download says ``nosniff``, and anything that is not a video or
a raster image is sent as an attachment, whatever disposition the uploader asked for.
"""

from __future__ import annotations

INLINE_PREFIXES = ("video/", "image/")
NEVER_INLINE = frozenset({"image/svg+xml"})


def shown_inline(content_type: str) -> bool:
    base = content_type.split(";", 1)[0].strip().lower()
    return base.startswith(INLINE_PREFIXES) and base not in NEVER_INLINE


def harden(content_type: str, headers: dict[str, str]) -> dict[str, str]:
    """``headers`` with nosniff, and attachment for anything that could render as a page."""
    hardened = {**headers, "x-content-type-options": "nosniff"}
    declared = hardened.get("content-disposition", "")
    if not shown_inline(content_type) and not declared.lower().startswith("attachment"):
        hardened["content-disposition"] = "attachment"  # an uploader's attachment stays
    return hardened
