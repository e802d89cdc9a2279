"""Ids placed in URL paths as exactly one segment."""

from __future__ import annotations

from urllib.parse import quote


def segment(value: str) -> str:
    """``value`` percent-encoded whole, ``/`` and ``.`` included, so an id such as
    ``../jobs/ID`` names nothing but itself: no client or server normalises it into a path
    to another route."""
    return quote(value, safe="").replace(".", "%2E")
