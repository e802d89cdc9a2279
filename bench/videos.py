"""Big test videos made fast: a short real MP4 (bundled ffmpeg) grown to any size by one
trailing ``free`` box of random bytes, which every MP4 reader skips. A nonce inside that
box is rewritten before each run, so no upload is a duplicate of an earlier one."""

from __future__ import annotations

import os
import shutil
import struct
import time
from pathlib import Path

MIB = 1 << 20
NONCE_BYTES = 20


def make_big_video(path: Path, size: int) -> Path:
    from tests.videos import make_video

    seed = make_video(path.with_suffix(".seed.mp4"), seconds=2, width=640, height=360)
    head = seed.read_bytes()
    seed.unlink()
    box = size - len(head)
    if box < 16 + NONCE_BYTES:
        raise ValueError(f"{size} bytes is too small for a benchmark video")
    block = os.urandom(8 * MIB)
    with open(path, "wb") as out:
        out.write(head)
        out.write(struct.pack(">I4sQ", 1, b"free", box))  # 64-bit box size
        left = box - 16
        while left:
            # Each block starts with fresh bytes, so no two blocks are alike.
            chunk = min(left, len(block))
            out.write(os.urandom(64) + block[64:chunk] if chunk > 64 else os.urandom(chunk))
            left -= chunk
    return path


def nonce_offset(path: Path) -> int:
    """Where the nonce lives: just after the ``free`` box header at the end of the seed."""
    with open(path, "rb") as handle:
        offset = 0
        while True:
            header = handle.read(16)
            if len(header) < 8:
                raise ValueError("no free box found")
            small, kind = struct.unpack(">I4s", header[:8])
            length = struct.unpack(">Q", header[8:16])[0] if small == 1 else small
            if kind == b"free" and small == 1:
                return offset + 16
            offset += length
            handle.seek(offset)


def restamp(path: Path) -> None:
    """New content (a new SHA-1), and an mtime an hour old: a finished recording, as a user
    would pick it, so no uploader waits for the file to settle."""
    with open(path, "r+b") as handle:
        handle.seek(nonce_offset(path))
        handle.write(os.urandom(NONCE_BYTES))
    old = time.time() - 3600
    os.utime(path, (old, old))


def warm(path: Path) -> None:
    """Same page-cache state for every run: the whole file cached, nothing dirty anywhere."""
    with open(path, "rb") as handle:
        while handle.read(8 * MIB):
            pass
    os.sync()


def cold(path: Path) -> None:
    """Drop this file's pages from the page cache (only this file's)."""
    os.sync()
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def free_disk(path: Path) -> int:
    return shutil.disk_usage(path).free
