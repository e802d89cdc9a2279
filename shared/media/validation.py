"""Check a file against the upload policy before a byte is sent: cheap checks first."""

from __future__ import annotations

from pathlib import Path

from shared.media.errors import ProbeError, ValidationError
from shared.media.metadata import VideoMetadata
from shared.media.probe import probe
from shared.media.signature import sniff_container
from shared.policy import Policy

CONTAINERS_BY_EXTENSION = {
    "mp4": {"mp4", "mov", "m4a", "3gp", "3g2", "mj2"},
    "mov": {"mov", "mp4", "m4a", "3gp", "3g2", "mj2"},
    "m4v": {"mp4", "mov", "m4v"},
    "webm": {"webm", "mkv", "matroska"},
    "mkv": {"mkv", "webm", "matroska"},
    "avi": {"avi"},
}


def extension(path: Path) -> str:
    return path.suffix.lower().lstrip(".")


def guess_content_type(path: Path) -> str:
    types = Policy().content_types_for(extension(path))
    return types[0] if types else "application/octet-stream"


def check_file_basics(path: Path, policy: Policy) -> None:
    name = path.name
    if not path.is_file():
        raise ValidationError("not_found", f"{name} does not exist (or is not a file)")
    ext = extension(path)
    if ext not in policy.allowed_video_formats:
        allowed = ", ".join(policy.allowed_video_formats)
        kind = f".{ext} files are" if ext else "files without an extension are"
        raise ValidationError(
            "unsupported_format", f"{name}: {kind} not accepted; allowed: {allowed}"
        )
    size = path.stat().st_size
    if size == 0:
        raise ValidationError("empty_file", f"{name} is empty (0 bytes)")
    if size > policy.max_file_size_bytes:
        raise ValidationError(
            "file_too_large",
            f"{name} is {size / 1048576:.1f} MB; the limit is {policy.max_video_size_mb} MB",
        )


def check_metadata(name: str, ext: str, meta: VideoMetadata, policy: Policy) -> None:
    if meta.container not in CONTAINERS_BY_EXTENSION.get(ext, {ext}):
        raise ValidationError(
            "unsupported_format", f"{name} is named .{ext} but is really a {meta.container} file"
        )
    # Portrait recordings count too: compare long side with long side, short with short.
    long_side = max(meta.display_width, meta.display_height)
    short_side = min(meta.display_width, meta.display_height)
    min_long = max(policy.min_video_width, policy.min_video_height)
    min_short = min(policy.min_video_width, policy.min_video_height)
    if long_side < min_long or short_side < min_short:
        raise ValidationError(
            "resolution_too_low",
            f"{name} is {meta.display_width}x{meta.display_height}; the minimum is "
            f"{policy.min_video_width}x{policy.min_video_height}",
        )
    if meta.duration_seconds > policy.max_video_duration_seconds:
        raise ValidationError(
            "duration_too_long",
            f"{name} lasts {meta.duration_seconds / 60:.1f} minutes; the limit is "
            f"{policy.max_video_duration_seconds / 60:.0f} minutes",
        )


def validate_file(path: Path, policy: Policy, *, content_type: str | None = None) -> VideoMetadata:
    """The file's metadata when the policy accepts it; ValidationError (code, why) when not."""
    path = Path(path)
    check_file_basics(path, policy)
    ext = extension(path)
    if content_type and content_type.lower() not in policy.content_types_for(ext):
        raise ValidationError(
            "unsupported_format", f"{path.name}: content type {content_type} is not a .{ext} video"
        )
    if sniff_container(path) is None:
        raise ValidationError(
            "unsupported_format",
            f"{path.name} is not a video file (its content is not MP4, "
            "QuickTime, WebM/Matroska or AVI)",
        )
    try:
        meta = probe(path)
    except ProbeError as exc:
        raise ValidationError(exc.code, exc.message) from None
    check_metadata(path.name, ext, meta, policy)
    return meta
