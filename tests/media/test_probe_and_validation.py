"""Probing real files with the bundled ffprobe, the quality tiers, and every rejection code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import ffmpeg
import pytest

from shared.media.errors import FfmpegNotFound, MediaError, ProbeError
from shared.media.ffmpeg_locator import find_ffmpeg, find_ffprobe
from shared.media.probe import parse_probe, probe
from shared.media.quality import quality_tier
from shared.media.thumbnail import make_thumbnail
from shared.media.validation import validate_file
from shared.policy import Policy


@pytest.mark.parametrize(
    ("kind", "container", "codec", "audio"),
    [
        ("mp4", "mp4", "h264", "aac"),
        ("webm", "webm", "vp9", "opus"),
        ("mov", "mov", "h264", "aac"),
        ("avi", "avi", "mpeg4", "mp3"),
    ],
)
def test_probe_reads_each_container(
    videos: dict[str, Path], kind: str, container: str, codec: str, audio: str
) -> None:
    meta = probe(videos[kind])
    assert (meta.container, meta.codec, meta.audio_codec) == (container, codec, audio)
    assert (meta.width, meta.height) == (640, 360)
    assert meta.duration_seconds == pytest.approx(2, abs=0.1)
    assert meta.frame_rate == pytest.approx(25)
    assert meta.has_audio and meta.bitrate and meta.video_quality == "360p"


def test_rotation_swaps_the_displayed_size(videos: dict[str, Path]) -> None:
    meta = probe(videos["rotated"])
    assert meta.rotation in (90, 270)
    assert (meta.display_width, meta.display_height) == (meta.height, meta.width)
    assert meta.video_quality == "720p"


@pytest.mark.parametrize(
    ("size", "tier"),
    [
        ((3840, 2160), "4k"),
        ((1920, 1080), "1080p"),
        ((1824, 1026), "1080p"),
        ((1440, 1080), "1080p"),
        ((1080, 1920), "1080p"),
        ((1280, 720), "720p"),
        ((1280, 536), "720p"),
        ((854, 480), "480p"),
        ((640, 480), "480p"),
        ((640, 360), "360p"),
        ((320, 240), "360p"),
        ((4096, 1716), "4k"),
    ],
)
def test_quality_tiers(size: tuple[int, int], tier: str) -> None:
    assert quality_tier(*size) == tier


def test_parse_recorded_ffprobe_json_with_side_data_rotation() -> None:
    recorded = {
        "streams": [
            {
                "codec_type": "video",
                "codec_name": "hevc",
                "width": 1920,
                "height": 1080,
                "avg_frame_rate": "30000/1001",
                "r_frame_rate": "30/1",
                "side_data_list": [{"side_data_type": "Display Matrix", "rotation": -90}],
            },
            {"codec_type": "audio", "codec_name": "aac"},
        ],
        "format": {
            "format_name": "mov,mp4,m4a,3gp,3g2,mj2",
            "duration": "61.061",
            "bit_rate": "8000000",
        },
    }
    meta = parse_probe(recorded, "phone.mov")
    assert (meta.rotation, meta.display_width, meta.display_height) == (270, 1080, 1920)
    assert meta.frame_rate == pytest.approx(29.97) and meta.container == "mov"
    assert meta.duration_seconds == pytest.approx(61.061) and meta.video_quality == "1080p"
    cover_only = {
        "streams": [
            {
                "codec_type": "video",
                "codec_name": "mjpeg",
                "width": 600,
                "height": 600,
                "disposition": {"attached_pic": 1},
            }
        ],
        "format": {"format_name": "mp3", "duration": "10"},
    }
    with pytest.raises(MediaError) as err:
        parse_probe(cover_only, "song.mp4")
    assert err.value.code == "no_video_stream"


@pytest.mark.parametrize(
    ("kind", "code", "words"),
    [
        ("truncated", "unreadable", "still being written or was cut short"),
        ("audio_only", "no_video_stream", "no video stream"),
        ("text", "unsupported_format", "is not a video file"),
        ("empty", "empty_file", "is empty"),
        ("tiny", "resolution_too_low", "160x120; the minimum is 320x240"),
        ("mkv", "unsupported_format", "allowed: mp4, webm, avi, mov"),
    ],
)
def test_rejections_from_real_files(
    videos: dict[str, Path], kind: str, code: str, words: str
) -> None:
    with pytest.raises(MediaError) as err:
        validate_file(videos[kind], Policy())
    assert err.value.code == code
    assert words in err.value.message and videos[kind].name in err.value.message


def test_duration_and_size_limits(videos: dict[str, Path]) -> None:
    with pytest.raises(MediaError) as long_err:
        validate_file(videos["mp4"], Policy(max_video_duration_seconds=1))
    assert long_err.value.code == "duration_too_long"
    with pytest.raises(MediaError) as big_err:
        validate_file(videos["large"], Policy(max_video_size_mb=1))
    assert big_err.value.code == "file_too_large" and "limit is 1 MB" in big_err.value.message
    with pytest.raises(MediaError) as missing:
        validate_file(videos["mp4"].with_name("nope.mp4"), Policy())
    assert missing.value.code == "not_found"


def test_probe_command_prints_json_lines_and_exit_status(videos: dict[str, Path]) -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "reeldrop",
            "probe",
            str(videos["mp4"]),
            str(videos["audio_only"]),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1
    good, bad = (json.loads(line) for line in run.stdout.splitlines())
    assert good["ok"] is True and good["path"] == str(videos["mp4"])
    assert good["metadata"]["displayWidth"] == 640 and good["metadata"]["videoQuality"] == "360p"
    assert bad == {
        "path": str(videos["audio_only"]),
        "ok": False,
        "error": {"code": "no_video_stream", "message": bad["error"]["message"]},
    }
    ok = subprocess.run(
        [sys.executable, "-m", "reeldrop", "probe", str(videos["webm"]), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0


def test_ffmpeg_dir_override_wins_and_a_missing_tool_is_explained(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundled = find_ffprobe()
    own = tmp_path / "tools"
    own.mkdir()
    os.symlink(bundled, own / "ffprobe")
    monkeypatch.setenv("REELDROP_FFMPEG_DIR", str(own))
    assert find_ffprobe() == own / "ffprobe"
    monkeypatch.setenv("REELDROP_FFMPEG_DIR", str(tmp_path / "empty"))
    with pytest.raises(FfmpegNotFound, match="REELDROP_FFMPEG_DIR"):
        find_ffprobe()


def test_thumbnail_is_a_small_jpeg(videos: dict[str, Path], tmp_path: Path) -> None:
    out = make_thumbnail(videos["hd"], tmp_path / "thumb.jpg", duration=1.0)
    data = out.read_bytes()
    assert data[:3] == b"\xff\xd8\xff"
    # An image is not a video: measure it with plain ffprobe, not the hardened probe().
    stream = ffmpeg.probe(str(out), cmd=str(find_ffprobe()))["streams"][0]
    assert (stream["width"], stream["height"]) == (320, 180)


def test_thumbnail_never_follows_a_playlist_to_another_file(
    videos: dict[str, Path], tmp_path: Path
) -> None:
    """A thumbnail is made from the file given only: a playlist (named ``.m3u8``, which
    ffmpeg would follow) that names another video gives an error, not that video's frame."""
    segment = tmp_path / "elsewhere.ts"
    subprocess.run(
        [
            str(find_ffmpeg()),
            "-loglevel",
            "error",
            "-i",
            str(videos["hd"]),
            "-c",
            "copy",
            "-f",
            "mpegts",
            str(segment),
        ],
        check=True,
    )
    playlist = tmp_path / "lecture.m3u8"
    playlist.write_text(
        f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:1,\n{segment}\n#EXT-X-ENDLIST\n"
    )
    with pytest.raises(MediaError) as caught:
        make_thumbnail(playlist, tmp_path / "thumb.jpg", duration=1.0)
    assert caught.value.code == "thumbnail_failed"
    assert "is not an MP4, QuickTime, WebM/Matroska or AVI video" in caught.value.message
    assert not (tmp_path / "thumb.jpg").exists()


def test_probe_refuses_a_concat_list_that_names_another_file(
    videos: dict[str, Path], tmp_path: Path
) -> None:
    """ffprobe may read only the file it is given, never one a list inside it names."""
    listing = tmp_path / "lecture.mp4"
    listing.write_text(f"ffconcat version 1.0\nfile '{videos['hd']}'\n")
    with pytest.raises(ProbeError) as caught:
        probe(listing)
    assert caught.value.code == "unsupported_format"


@pytest.mark.parametrize(
    ("width", "height", "accepted"),
    [
        (640, 200, False),  # wide enough, too short
        (230, 480, False),  # portrait: long side fine, short side too small
        (1000, 230, False),
        (320, 240, True),
        (240, 320, True),  # portrait at the minimum
        (160, 120, False),
    ],
)
def test_resolution_is_rejected_when_either_side_is_too_small(
    width: int, height: int, accepted: bool
) -> None:
    from shared.media.metadata import VideoMetadata
    from shared.media.validation import check_metadata

    meta = VideoMetadata(
        duration_seconds=10,
        width=width,
        height=height,
        display_width=width,
        display_height=height,
        codec="h264",
        container="mp4",
        video_quality="360p",
    )
    if accepted:
        check_metadata("clip.mp4", "mp4", meta, Policy())
        return
    with pytest.raises(MediaError) as rejected:
        check_metadata("clip.mp4", "mp4", meta, Policy())
    assert rejected.value.code == "resolution_too_low"
    assert f"{width}x{height}; the minimum is 320x240" in rejected.value.message
