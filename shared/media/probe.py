"""Measure a video with the bundled ffprobe (through ffmpeg-python).

Two pure functions do the work — ``parse_probe`` turns ffprobe's JSON into metadata and
``explain_failure`` turns its stderr into a reason — and ``probe`` only runs the tool.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import ffmpeg

from shared.media.errors import ProbeError
from shared.media.ffmpeg_locator import find_ffprobe
from shared.media.metadata import VideoMetadata
from shared.media.quality import quality_tier

# ffprobe may open nothing but the one file it is given, with the demuxers of the video
# containers we accept: no playlists (hls), concat lists, image sequences or network.
FORMAT_ALLOW_LIST = "mov,mp4,matroska,webm,avi"
LOCAL_PROTOCOLS = "file"
NETWORK_PROTOCOLS = "http,https,tcp,tls"

CONTAINER_ALIASES = {"matroska": "mkv", "mov": "mov", "mp4": "mp4", "avi": "avi", "webm": "webm"}


def _rate(value: str | None) -> float | None:
    if not value or value in ("0/0", "0"):
        return None
    try:
        rate = float(Fraction(value))
    except (ValueError, ZeroDivisionError):
        return None
    return round(rate, 3) if rate > 0 else None


def _rotation(stream: dict[str, Any]) -> int:
    for side in stream.get("side_data_list") or []:
        if "rotation" in side:
            return round(float(side["rotation"])) % 360
    rotate = (stream.get("tags") or {}).get("rotate")
    return int(rotate) % 360 if rotate and str(rotate).lstrip("-").isdigit() else 0


def _container(format_name: str, name: str) -> str:
    names = [n.strip() for n in format_name.split(",") if n.strip()]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension in names or (extension == "webm" and "webm" in names):
        return extension
    first = names[0] if names else "unknown"
    return CONTAINER_ALIASES.get(first, first)


def parse_probe(data: dict[str, Any], name: str) -> VideoMetadata:
    """ffprobe's ``-show_format -show_streams`` JSON to metadata; raises ProbeError."""
    streams = data.get("streams") or []
    videos = [
        s
        for s in streams
        if s.get("codec_type") == "video" and not (s.get("disposition") or {}).get("attached_pic")
    ]
    if not videos:
        raise ProbeError(
            "no_video_stream", f"{name} has no video stream (audio only or not a video)"
        )
    video = videos[0]
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    fmt = data.get("format") or {}
    duration = fmt.get("duration") or video.get("duration")
    width, height = int(video.get("width") or 0), int(video.get("height") or 0)
    if duration is None or width <= 0 or height <= 0:
        raise ProbeError("unreadable", f"{name}: ffprobe could not tell its duration or size")
    rotation = _rotation(video)
    display_w, display_h = (height, width) if rotation in (90, 270) else (width, height)
    bitrate = fmt.get("bit_rate") or video.get("bit_rate")
    return VideoMetadata(
        duration_seconds=round(float(duration), 3),
        width=width,
        height=height,
        rotation=rotation,
        display_width=display_w,
        display_height=display_h,
        codec=str(video.get("codec_name") or "unknown"),
        bitrate=int(bitrate) if bitrate and str(bitrate).isdigit() else None,
        frame_rate=_rate(video.get("avg_frame_rate")) or _rate(video.get("r_frame_rate")),
        has_audio=audio is not None,
        audio_codec=str(audio.get("codec_name")) if audio else None,
        container=_container(str(fmt.get("format_name") or ""), name),
        video_quality=quality_tier(display_w, display_h),
    )


def explain_failure(stderr: str, name: str) -> ProbeError:
    text = stderr.lower()
    if "not on whitelist" in text or "non standard extension" in text:
        return ProbeError(
            "unsupported_format",
            f"{name} is not an MP4, QuickTime, WebM/Matroska or AVI video",
        )
    if "moov atom not found" in text:
        return ProbeError(
            "unreadable",
            f"{name} is incomplete: it is still being written or was "
            "cut short (no index, 'moov atom not found')",
        )
    if "no such file" in text:
        return ProbeError("not_found", f"{name} does not exist")
    if "invalid data found" in text or "could not find codec parameters" in text:
        return ProbeError("unreadable", f"{name} is not a video file ffprobe can read")
    if "permission denied" in text:
        return ProbeError("unreadable", f"{name} cannot be read: permission denied")
    last = stderr.strip().splitlines()[-1] if stderr.strip() else "no details"
    return ProbeError("unreadable", f"{name} could not be read by ffprobe: {last[:200]}")


def probe(path_or_url: str | Path, *, timeout: float = 60) -> VideoMetadata:
    """Probe a local file (or an http(s) URL) with protocol and format allow-lists."""
    target = str(path_or_url)
    is_url = target.startswith(("http://", "https://"))
    name = target.split("?", 1)[0].rsplit("/", 1)[-1] if is_url else Path(target).name
    if not is_url:
        path = Path(target)
        if not path.is_file():
            raise ProbeError("not_found", f"{name} does not exist")
        if path.stat().st_size == 0:
            raise ProbeError("empty_file", f"{name} is empty (0 bytes)")
    options: dict[str, Any] = {
        "protocol_whitelist": NETWORK_PROTOCOLS if is_url else LOCAL_PROTOCOLS,
        "format_whitelist": FORMAT_ALLOW_LIST,
    }
    if is_url:
        options["rw_timeout"] = int(timeout * 1_000_000)
    try:
        data = ffmpeg.probe(target, cmd=str(find_ffprobe()), **options)
    except ffmpeg.Error as exc:
        raise explain_failure((exc.stderr or b"").decode("utf-8", "replace"), name) from None
    return parse_probe(data, name)
