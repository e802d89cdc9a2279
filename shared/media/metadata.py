"""Typed video metadata, as measured by ffprobe and sent to the server."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class VideoMetadata(BaseModel):
    """What a probe learns about one video file (camelCase on the wire)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    duration_seconds: float
    width: int
    height: int
    rotation: int = 0
    display_width: int
    display_height: int
    codec: str
    bitrate: int | None = None
    frame_rate: float | None = None
    has_audio: bool = False
    audio_codec: str | None = None
    container: str
    video_quality: str
