"""Object storage behind the media API. ``base`` is the interface; b2sdk implements it."""
