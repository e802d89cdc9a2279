"""Is a video all there? Real files made with the bundled ffmpeg, whole and cut short."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from daemon.watch.fingerprint import BLOCK, quick_fingerprint
from daemon.watch.readiness import whole_file_problem
from daemon.watch.structure import Incomplete, check_avi, check_matroska, check_mp4
from tests.videos import run_ffmpeg


@pytest.fixture(scope="module")
def index_front(videos: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same lecture with its index (moov) moved to the front, as streaming tools write."""
    path = tmp_path_factory.mktemp("front") / "front.mp4"
    run_ffmpeg(["-i", str(videos["large"]), "-c", "copy", "-movflags", "+faststart", str(path)])
    return path


def cut(source: Path, target: Path, fraction: float = 0.5) -> Path:
    data = source.read_bytes()
    target.write_bytes(data[: int(len(data) * fraction)])
    return target


def top_level_boxes(path: Path) -> list[bytes]:
    data = path.read_bytes()
    kinds, pos = [], 0
    while pos + 8 <= len(data):
        size, kind = struct.unpack_from(">I4s", data, pos)
        kinds.append(kind)
        pos += size
    return kinds


def test_whole_videos_pass(videos: dict[str, Path], index_front: Path) -> None:
    assert top_level_boxes(index_front).index(b"moov") < top_level_boxes(index_front).index(
        b"mdat"
    )
    for key in ("mp4", "large", "mov", "rotated"):
        check_mp4(videos[key])
    check_mp4(index_front)
    check_matroska(videos["webm"])
    check_avi(videos["avi"])
    for key in ("mp4", "webm", "avi", "mov"):
        assert whole_file_problem(videos[key]) is None


def test_a_half_copied_mp4_is_incomplete_whichever_end_its_index_is(
    videos: dict[str, Path], index_front: Path, tmp_path: Path
) -> None:
    end = cut(videos["large"], tmp_path / "index-at-end.mp4")
    front = cut(index_front, tmp_path / "index-at-front.mp4")
    for path in (end, front):
        with pytest.raises(Incomplete):
            check_mp4(path)
        problem = whole_file_problem(path)
        assert problem is not None and problem[0] == "incomplete"
        assert path.name in problem[1]


def test_the_index_is_checked_even_when_the_data_box_claims_the_rest_of_the_file(
    index_front: Path, tmp_path: Path
) -> None:
    """A data box of size 0 means "to the end of the file": only the index tells."""
    data = bytearray(index_front.read_bytes())
    pos = 0
    while pos + 8 <= len(data):
        size, kind = struct.unpack_from(">I4s", data, pos)
        if kind == b"mdat":
            struct.pack_into(">I", data, pos, 0)
            break
        pos += size
    whole = tmp_path / "open-ended.mp4"
    whole.write_bytes(bytes(data))
    check_mp4(whole)
    half = tmp_path / "open-ended-half.mp4"
    half.write_bytes(bytes(data[: len(data) * 3 // 4]))
    with pytest.raises(Incomplete, match="index points to byte"):
        check_mp4(half)


def test_cut_webm_and_avi_are_incomplete(videos: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(Incomplete):
        check_matroska(cut(videos["webm"], tmp_path / "cut.webm"))
    with pytest.raises(Incomplete):
        check_avi(cut(videos["avi"], tmp_path / "cut.avi"))


def test_non_videos_and_empty_files_have_a_reason(videos: dict[str, Path]) -> None:
    assert whole_file_problem(videos["text"])[0] == "unsupported_format"  # type: ignore[index]
    assert whole_file_problem(videos["empty"])[0] == "empty_file"  # type: ignore[index]


def test_quick_fingerprints_tell_content_apart_cheaply(tmp_path: Path) -> None:
    body = bytes(range(256)) * (3 * BLOCK // 256)
    a, b, c = tmp_path / "a.mp4", tmp_path / "b.mp4", tmp_path / "c.mp4"
    a.write_bytes(body)
    b.write_bytes(body)
    c.write_bytes(body[:-1] + b"x")
    assert quick_fingerprint(a) == quick_fingerprint(b)
    assert quick_fingerprint(a) != quick_fingerprint(c)
    middle = bytearray(body)
    middle[len(body) // 2] ^= 0xFF
    b.write_bytes(bytes(middle))
    # The middle is not read: that is why a match elsewhere is confirmed by the full SHA-1.
    assert quick_fingerprint(a) == quick_fingerprint(b)
