"""One error type for everything that can be wrong with a video, with a code and a reason."""

from __future__ import annotations


class MediaError(Exception):
    """``code`` is stable for programs; ``message`` says what and why, for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class ProbeError(MediaError):
    """ffprobe could not read the file as a video."""


class ValidationError(MediaError):
    """The file is a video, but one the policy does not accept."""


class FfmpegNotFound(MediaError):
    def __init__(self, message: str) -> None:
        super().__init__("ffmpeg_not_found", message)
