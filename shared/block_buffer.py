"""A buffer for reading a file block by block that goes back to the system when dropped.

The daemon reads every part it sends, and every file it hashes, into a 1 MiB buffer, in a
thread that lives for that part or job. A ``bytearray`` of that size comes from the C
heap: glibc raises its mmap threshold once the first such block is freed, so each later one
is carved from the malloc arena of the thread that asked, and stays cached there after the
thread ends. With a fresh thread for each part the daemon's resident size crept by about
20 MiB over its first uploads, a cached block per arena (``python -m bench.memory_creep``:
95 MiB after the first 512 MiB upload, 113-116 MiB from the tenth on). An anonymous mapping
is not the allocator's to keep: its pages are returned when the last view of it is dropped."""

from __future__ import annotations

import mmap


def block_buffer(size: int) -> memoryview:
    """A writable, zero-filled buffer of ``size`` bytes (at least one) of its own mapping."""
    return memoryview(mmap.mmap(-1, max(1, size)))
