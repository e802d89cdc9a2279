"""A small JPEG from about a tenth into the video, for the library and course pages."""

from __future__ import annotations

from pathlib import Path

import ffmpeg

from shared.media.errors import MediaError
from shared.media.ffmpeg_locator import find_ffmpeg
from shared.media.probe import FORMAT_ALLOW_LIST, LOCAL_PROTOCOLS, explain_failure


def make_thumbnail(
    video: Path, out: Path, *, duration: float | None = None, width: int = 320
) -> Path:
    at = max(0.0, (duration or 0.0) * 0.1)
    out.parent.mkdir(parents=True, exist_ok=True)
    stream = (
        # The same allow-lists as the probe: ffmpeg reads this one local file as a video
        # container, never a playlist or list (a ".m3u8" would pull in what it names).
        ffmpeg.input(
            str(video),
            ss=f"{at:.3f}",
            protocol_whitelist=LOCAL_PROTOCOLS,
            format_whitelist=FORMAT_ALLOW_LIST,
        )
        .filter("scale", width, -2)
        .output(str(out), vframes=1, format="image2", vcodec="mjpeg", **{"q:v": 4})
        .overwrite_output()
        .global_args("-loglevel", "error", "-nostdin")
    )
    try:
        stream.run(cmd=str(find_ffmpeg()), capture_stdout=True, capture_stderr=True)
    except ffmpeg.Error as exc:
        text = (exc.stderr or b"").decode("utf-8", "replace")
        detail = text.strip().splitlines()
        # A file the allow-lists refuse: ffmpeg's last line only says "Invalid argument",
        # and the probe's reading of its output says what the file is not.
        refused = explain_failure(text, video.name)
        if refused.code == "unsupported_format":
            reason = refused.message
        else:
            reason = detail[-1] if detail else "ffmpeg failed"
        raise MediaError("thumbnail_failed", f"no thumbnail for {video.name}: {reason}") from None
    if not out.exists() or out.stat().st_size == 0:
        raise MediaError("thumbnail_failed", f"no thumbnail for {video.name}: empty output")
    return out
