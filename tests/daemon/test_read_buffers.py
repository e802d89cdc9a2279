"""The megabyte each part (and each hashed file) is read through goes back to the system as
soon as it is dropped. Read into the C heap instead, it stayed cached in the malloc arena of
the thread that sent the part, and the daemon's resident size crept by 17-21 MiB over its
first ten uploads (``python -m bench.memory_creep``; docs/PERFORMANCE.md). And a part reads
its range on every system the daemon ships for."""

from __future__ import annotations

import gc
import hashlib
import mmap
import os
import threading
import weakref
from pathlib import Path

import pytest

from daemon.transfer.bandwidth import BandwidthLimiter
from daemon.transfer.meter import WireMeter
from daemon.transfer.part_stream import FileWatch, PartStream
from shared.block_buffer import block_buffer
from shared.media import hashing

MIB = 1 << 20


def released(ref: weakref.ref[mmap.mmap]) -> bool:
    gc.collect()  # only cycles wait for this; plain references are gone already
    return ref() is None


def test_a_block_buffer_is_a_zeroed_buffer_unmapped_when_dropped() -> None:
    view = block_buffer(MIB)
    assert len(view) == MIB and not view.readonly
    assert view[:16].tobytes() == bytes(16)
    view[:4] = b"part"
    mapping = view.obj
    assert isinstance(mapping, mmap.mmap), "a mapping of its own, not the allocator's memory"
    ref = weakref.ref(mapping)
    del view, mapping
    assert released(ref), "the mapping outlived the last view of it"
    assert len(block_buffer(0)) == 1, "an empty range still gets a valid buffer"


def test_a_sent_part_leaves_no_buffer_behind(tmp_path: Path) -> None:
    data = os.urandom(3 * MIB + 7)
    path = tmp_path / "lecture.mp4"
    path.write_bytes(data)
    meter = WireMeter(BandwidthLimiter(), threading.Event(), lambda _done, _wire: None)
    stream = PartStream(FileWatch.now(path), 1, 0, len(data), meter, sha1_at_end=True)
    sent = bytearray()
    buffers: list[weakref.ref[mmap.mmap]] = []
    owners: set[int] = set()
    for block in stream:
        sent += block
        if isinstance(block, memoryview):
            owner = block.obj
            assert isinstance(owner, mmap.mmap), f"part read into a {type(owner).__name__}"
            buffers.append(weakref.ref(owner))
            owners.add(id(owner))  # taken while the buffer is alive
            del owner
        del block
    stream.close()
    assert bytes(sent) == data + hashlib.sha1(data).hexdigest().encode()
    assert len(owners) == 1, "one buffer for the whole pass"
    assert buffers and all(released(ref) for ref in buffers), "the part's buffer was kept"


def test_hashing_a_file_leaves_no_buffer_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy of a library video is hashed in its job's thread before anything is sent."""
    data = os.urandom(2 * MIB + 3)
    path = tmp_path / "copy.mp4"
    path.write_bytes(data)
    buffers: list[weakref.ref[mmap.mmap]] = []

    def noted(size: int) -> memoryview:
        view = block_buffer(size)
        buffers.append(weakref.ref(view.obj))  # type: ignore[arg-type]
        return view

    monkeypatch.setattr(hashing, "block_buffer", noted)
    assert hashing.sha1_file(path) == hashlib.sha1(data).hexdigest()
    assert buffers, "the file was not read through a block buffer"
    assert all(released(ref) for ref in buffers), "the hashing buffer was kept"


def test_a_part_is_read_where_the_system_has_no_positional_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows has no ``os.preadv`` (nor ``os.pread``): every part of a lecture sent from
    there must still read its own range of the file, byte for byte."""
    data = os.urandom(3 * MIB + 11)
    path = tmp_path / "lecture.mp4"
    path.write_bytes(data)
    for name in ("preadv", "pread", "readv"):
        monkeypatch.delattr(os, name, raising=False)
    meter = WireMeter(BandwidthLimiter(), threading.Event(), lambda _done, _wire: None)
    offset, length = MIB + 5, 2 * MIB + 1
    stream = PartStream(FileWatch.now(path), 2, offset, length, meter, sha1_at_end=True)
    try:
        first = b"".join(bytes(block) for block in stream)
        again = b"".join(bytes(block) for block in stream)  # b2sdk rewinds to send it again
    finally:
        stream.close()
    part = data[offset : offset + length]
    assert first == again == part + hashlib.sha1(part).hexdigest().encode()
