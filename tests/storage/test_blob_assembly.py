"""Finishing a large file: its parts become the stored file without a byte written again,
any range of it reads back exactly as the concatenation, a missing part is named, and
nothing is left behind."""

from __future__ import annotations

import errno
import hashlib
import os
import random
from pathlib import Path

import pytest

from server.b2store.blobs import BlobDir
from server.b2store.errors import B2Error


def parts_in(blobs: BlobDir, file_id: str, sizes: list[int]) -> list[tuple[int, bytes]]:
    made = []
    for number, size in enumerate(sizes, start=1):
        data = os.urandom(size)
        path = blobs.part_path(file_id, number, hashlib.sha1(data).hexdigest())
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        made.append((number, data))
    return made


def read(blobs: BlobDir, file_id: str, first: int, end: int) -> bytes:
    pieces = blobs.segments(file_id)
    assert pieces is not None
    return b"".join(blobs.read_range(pieces, first, end))


def test_parts_of_every_size_make_exactly_their_concatenation(tmp_path: Path) -> None:
    blobs = BlobDir(tmp_path / "blobs")
    sizes = [3 << 20, (1 << 20) + 1, 5, 2 << 20, (1 << 20) - 1, 0, 7]
    made = parts_in(blobs, "f1", sizes)
    whole = b"".join(d for _n, d in made)
    blobs.assemble("f1", [(n, hashlib.sha1(d).hexdigest()) for n, d in made])
    blobs.drop_parts("f1")  # what finishing does once its row is committed

    assert read(blobs, "f1", 0, len(whole)) == whole
    rng = random.Random(7)
    for _ in range(200):  # ranges within a part, across parts, at their edges
        first = rng.randrange(len(whole))
        end = rng.randrange(first, len(whole)) + 1
        assert read(blobs, "f1", first, end) == whole[first:end], (first, end)
    pieces = blobs.segments("f1")
    assert pieces is not None and sum(size for _p, size in pieces) == len(whole)
    assert oct(blobs.file_path("f1").stat().st_mode & 0o777) == "0o700"
    assert not list((tmp_path / "blobs" / "tmp").iterdir())


def test_finishing_writes_no_byte_again(tmp_path: Path) -> None:
    """The stored file's pieces are the part files themselves (hard links), not copies."""
    blobs = BlobDir(tmp_path / "blobs")
    made = parts_in(blobs, "f3", [2 << 20, 1 << 20])
    parts = [(n, hashlib.sha1(d).hexdigest()) for n, d in made]
    inodes = {blobs.part_path("f3", n, sha1).stat().st_ino for n, sha1 in parts}
    blobs.assemble("f3", parts)
    pieces = blobs.segments("f3")
    assert pieces is not None
    assert {path.stat().st_ino for path, _size in pieces} == inodes


@pytest.mark.parametrize("missing", [1, 3, 5])
def test_a_missing_part_anywhere_is_named_and_nothing_is_kept(
    tmp_path: Path, missing: int
) -> None:
    blobs = BlobDir(tmp_path / "blobs")
    made = parts_in(blobs, "f2", [(2 << 20) + 3] * 5)
    sha1s = [(n, hashlib.sha1(d).hexdigest()) for n, d in made]
    blobs.part_path("f2", missing, sha1s[missing - 1][1]).unlink()
    with pytest.raises(B2Error) as refused:
        blobs.assemble("f2", sha1s)
    assert f"part {missing} is missing" in refused.value.message
    assert not blobs.file_path("f2").exists()
    assert not list((tmp_path / "blobs" / "tmp").iterdir())


def test_a_part_kept_by_an_earlier_version_is_used_only_if_its_bytes_match(
    tmp_path: Path,
) -> None:
    """Parts were once named by their number alone, and could be rewritten under it."""
    blobs = BlobDir(tmp_path / "blobs")
    first, last = os.urandom(1 << 20), os.urandom(100)
    sha1s = [(1, hashlib.sha1(first).hexdigest()), (2, hashlib.sha1(last).hexdigest())]
    folder = tmp_path / "blobs" / "parts" / "old"
    folder.mkdir()
    (folder / "00001").write_bytes(os.urandom(1 << 20))  # rewritten, row not updated
    (folder / "00002").write_bytes(last)
    with pytest.raises(B2Error, match="part 1 is missing"):
        blobs.assemble("old", sha1s)
    (folder / "00001").write_bytes(first)
    blobs.assemble("old", sha1s)
    assert read(blobs, "old", 0, len(first) + len(last)) == first + last


def test_without_hard_links_the_parts_are_copied_privately(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """exFAT and some network mounts have no hard links: finishing copies instead."""

    def no_links(_source: object, _target: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    blobs = BlobDir(tmp_path / "blobs")
    made = parts_in(blobs, "f4", [1 << 20, 100])
    monkeypatch.setattr(os, "link", no_links)
    blobs.assemble("f4", [(n, hashlib.sha1(d).hexdigest()) for n, d in made])
    assert read(blobs, "f4", 0, (1 << 20) + 100) == b"".join(d for _n, d in made)
    pieces = blobs.segments("f4")
    assert pieces is not None
    assert {oct(path.stat().st_mode & 0o777) for path, _size in pieces} == {"0o600"}
