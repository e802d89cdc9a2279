"""Finishing a large file: the parts, hashed and written at their offsets by several
threads, make exactly their concatenation; a damaged part anywhere is named, and nothing
is left behind."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from server.b2store.blobs import BlobDir
from server.b2store.errors import B2Error


def parts_in(blobs: BlobDir, file_id: str, sizes: list[int]) -> list[tuple[int, bytes]]:
    made = []
    for number, size in enumerate(sizes, start=1):
        data = os.urandom(size)
        path = blobs.part_path(file_id, number)
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        made.append((number, data))
    return made


def test_parts_of_every_size_make_exactly_their_concatenation(tmp_path: Path) -> None:
    blobs = BlobDir(tmp_path / "blobs")
    sizes = [3 << 20, (1 << 20) + 1, 5, 2 << 20, (1 << 20) - 1, 0, 7]
    made = parts_in(blobs, "f1", sizes)
    blobs.assemble("f1", [(n, hashlib.sha1(d).hexdigest()) for n, d in made])
    assert blobs.file_path("f1").read_bytes() == b"".join(d for _n, d in made)
    assert oct(blobs.file_path("f1").stat().st_mode & 0o777) == "0o600"
    assert not list((tmp_path / "blobs" / "tmp").iterdir())


@pytest.mark.parametrize("damaged", [1, 3, 5])
def test_a_damaged_part_anywhere_is_named_and_nothing_is_kept(
    tmp_path: Path, damaged: int
) -> None:
    blobs = BlobDir(tmp_path / "blobs")
    made = parts_in(blobs, "f2", [(2 << 20) + 3] * 5)
    sha1s = [(n, hashlib.sha1(d).hexdigest()) for n, d in made]
    blobs.part_path("f2", damaged).write_bytes(os.urandom((2 << 20) + 3))
    with pytest.raises(B2Error) as refused:
        blobs.assemble("f2", sha1s)
    assert f"part {damaged} is damaged" in refused.value.message
    assert not blobs.file_path("f2").exists()
    assert not list((tmp_path / "blobs" / "tmp").iterdir())
