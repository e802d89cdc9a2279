"""Upload policy: the limits the server enforces and clients validate against.

The defaults are the server's own defaults, so a client that cannot reach the server
still validates files the same way the server would.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

DEFAULT_ALLOWED_FORMATS: tuple[str, ...] = ("mp4", "webm", "avi", "mov")

# Content types accepted for each allowed extension.
CONTENT_TYPES_BY_EXTENSION: dict[str, tuple[str, ...]] = {
    "mp4": ("video/mp4",),
    "webm": ("video/webm",),
    "avi": ("video/x-msvideo", "video/avi", "video/msvideo"),
    "mov": ("video/quicktime",),
    "mkv": ("video/x-matroska",),
    "m4v": ("video/x-m4v", "video/mp4"),
}


class Policy(BaseModel):
    """What ``GET /api/v1/media/policy`` answers."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)

    max_video_size_mb: int = Field(default=500, gt=0)
    allowed_video_formats: tuple[str, ...] = DEFAULT_ALLOWED_FORMATS
    min_video_width: int = Field(default=320, ge=0)
    min_video_height: int = Field(default=240, ge=0)
    max_video_duration_seconds: int = Field(default=7200, gt=0)
    max_concurrent_uploads: int = Field(default=5, gt=0)
    chunk_size_mb: int = Field(default=5, ge=5)
    upload_session_timeout: int = Field(default=3600, gt=0)
    thumbnail_generation_enabled: bool = True

    @property
    def max_file_size_bytes(self) -> int:
        return self.max_video_size_mb * 1024 * 1024

    def content_types_for(self, extension: str) -> tuple[str, ...]:
        """Content types accepted for a file with this extension (lower case, no dot)."""
        return CONTENT_TYPES_BY_EXTENSION.get(extension.lower(), ())
