"""Is a video file all there? The container's own bookkeeping says how long it must be.

ffprobe reads an MP4 whose index (``moov``) sits at the front even when half its samples
are missing, so the probe alone cannot tell a half-copied file from a finished one. These
checks read only headers and the index: every top-level box must fit in the file, the
index must exist, and every sample it points to must lie inside the file. Matroska/WebM
and AVI declare their total size up front; that size must fit too.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path

MAX_INDEX_BYTES = 256 << 20  # a moov larger than this is not a lecture recording
CONTAINER_BOXES = {b"trak", b"mdia", b"minf", b"stbl"}


class Incomplete(Exception):
    """The file is shorter than its own structure says; the message says where."""


def iter_boxes(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, box end) for each box in ``data[start:end]``."""
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, pos)
        header = 8
        if size == 1:
            if pos + 16 > end:
                return
            size = struct.unpack_from(">Q", data, pos + 8)[0]
            header = 16
        elif size == 0:
            size = end - pos
        if size < header:
            return
        yield kind, pos + header, min(pos + size, end)
        pos += size


def _sample_sizes(data: bytes, start: int) -> tuple[int, int, list[int]]:
    uniform, count = struct.unpack_from(">II", data, start + 4)
    sizes = [] if uniform else list(struct.unpack_from(f">{count}I", data, start + 12))
    return uniform, count, sizes


def track_data_end(data: bytes, stbl_start: int, stbl_end: int) -> int:
    """The byte just after the last sample this track's index points to (0 if none)."""
    boxes = {kind: start for kind, start, _end in iter_boxes(data, stbl_start, stbl_end)}
    if b"stsz" not in boxes or b"stsc" not in boxes:
        return 0
    if b"stco" in boxes:
        count = struct.unpack_from(">I", data, boxes[b"stco"] + 4)[0]
        offsets = list(struct.unpack_from(f">{count}I", data, boxes[b"stco"] + 8))
    elif b"co64" in boxes:
        count = struct.unpack_from(">I", data, boxes[b"co64"] + 4)[0]
        offsets = list(struct.unpack_from(f">{count}Q", data, boxes[b"co64"] + 8))
    else:
        return 0
    uniform, sample_count, sizes = _sample_sizes(data, boxes[b"stsz"])
    entries = struct.unpack_from(">I", data, boxes[b"stsc"] + 4)[0]
    stsc = boxes[b"stsc"] + 8
    runs = [struct.unpack_from(">II", data, stsc + 12 * i) for i in range(entries)]
    end, sample, run = 0, 0, 0
    for chunk, offset in enumerate(offsets, start=1):
        while run + 1 < len(runs) and runs[run + 1][0] <= chunk:
            run += 1
        per_chunk = runs[run][1] if runs else 0
        take = min(per_chunk, sample_count - sample)
        length = uniform * take if uniform else sum(sizes[sample : sample + take])
        sample += take
        end = max(end, offset + length)
    return end


def _tracks(data: bytes, start: int, end: int) -> Iterator[tuple[int, int]]:
    for kind, payload, box_end in iter_boxes(data, start, end):
        if kind == b"stbl":
            yield payload, box_end
        elif kind in CONTAINER_BOXES:
            yield from _tracks(data, payload, box_end)


def check_mp4(path: Path) -> None:
    """Raises Incomplete unless every box fits and every indexed sample is in the file."""
    size = os.path.getsize(path)
    index: bytes | None = None
    with open(path, "rb") as handle:
        pos = 0
        while pos < size:
            handle.seek(pos)
            head = handle.read(16)
            if len(head) < 8:
                raise Incomplete(f"it ends inside a box header at byte {pos}")
            box_size, kind = struct.unpack_from(">I4s", head)
            header = 8
            if box_size == 1:
                if len(head) < 16:
                    raise Incomplete(f"it ends inside a box header at byte {pos}")
                box_size, header = struct.unpack_from(">Q", head, 8)[0], 16
            elif box_size == 0:
                box_size = size - pos
            if box_size < header:
                raise Incomplete(f"its box at byte {pos} has an impossible size")
            name = kind.decode("latin-1")
            if pos + box_size > size:
                raise Incomplete(
                    f"its '{name}' box needs {pos + box_size} bytes but only {size} are there"
                )
            if kind == b"moov":
                if box_size > MAX_INDEX_BYTES:
                    raise Incomplete(f"its index is implausibly large ({box_size} bytes)")
                handle.seek(pos)
                index = handle.read(box_size)
            pos += box_size
    if index is None:
        raise Incomplete("its index ('moov' box) has not been written")
    for stbl_start, stbl_end in _tracks(index, 8, len(index)):
        end = track_data_end(index, stbl_start, stbl_end)
        if end > size:
            raise Incomplete(f"its index points to byte {end} but only {size} are there")


def _vint(data: bytes, pos: int) -> tuple[int, int, bool]:
    """An EBML variable-length integer: (value, length, all value bits set = unknown)."""
    first = data[pos]
    length = 8 - first.bit_length() + 1
    if first == 0 or pos + length > len(data):
        raise Incomplete("its EBML header is cut short")
    value = first & ((1 << (8 - length)) - 1)
    for byte in data[pos + 1 : pos + length]:
        value = (value << 8) | byte
    return value, length, value == (1 << (7 * length)) - 1


def check_matroska(path: Path) -> None:
    """The Segment's declared size must fit (a live recording's unknown size passes)."""
    size = os.path.getsize(path)
    with open(path, "rb") as handle:
        head = handle.read(4096)
    pos = 4
    header_size, length, _ = _vint(head, pos)
    pos += length + header_size
    if pos + 4 > len(head) or head[pos : pos + 4] != b"\x18\x53\x80\x67":
        raise Incomplete("its Segment element is missing")
    segment_size, length, unknown = _vint(head, pos + 4)
    if not unknown and pos + 4 + length + segment_size > size:
        raise Incomplete(
            f"its Segment needs {pos + 4 + length + segment_size} bytes but only {size} are there"
        )


def check_avi(path: Path) -> None:
    """Every top-level RIFF chunk (AVI and its AVIX extensions) must fit."""
    size = os.path.getsize(path)
    with open(path, "rb") as handle:
        pos = 0
        while pos + 8 <= size:
            handle.seek(pos)
            tag, length = struct.unpack("<4sI", handle.read(8))
            end = pos + 8 + length + (length & 1)
            if end > size + (length & 1):
                raise Incomplete(
                    f"its {tag.decode('latin-1')} chunk needs {pos + 8 + length} bytes "
                    f"but only {size} are there"
                )
            pos = end


CHECKS = {"mp4": check_mp4, "matroska": check_matroska, "avi": check_avi}
