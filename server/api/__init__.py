"""HTTP routes of the media API."""
