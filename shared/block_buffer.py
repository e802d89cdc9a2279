"""A buffer for reading a file block by block that goes back to the system when dropped.

The daemon reads every part it sends, and every file it hashes, into a 1 MiB buffer, in a
thread that lives for that part or job. A ``bytearray`` of that size comes from the C
heap: glibc raises its mmap threshold once the first such block is freed, so each later one
is carved from the malloc arena of the thread that asked, and stays cached there after the
thread ends. With a fresh thread for each part the daemon's resident size crept by 17-21 MiB
over its first ten uploads, a cached block per arena (``python -m bench.memory_creep``:
95 MiB after the first 512 MiB upload, 112-116 MiB from the tenth on). An anonymous mapping
is not the allocator's to keep: its pages are returned when the last view of it is dropped.
(Private where the system has the flag: plain memory, not shared memory, in ``top``.)"""

from __future__ import annotations

import mmap


def block_buffer(size: int) -> memoryview:
    """A writable, zero-filled buffer of ``size`` bytes (at least one) of its own mapping."""
    if hasattr(mmap, "MAP_PRIVATE"):  # not on Windows, where every such mapping is private
        return memoryview(mmap.mmap(-1, max(1, size), flags=mmap.MAP_PRIVATE))
    return memoryview(mmap.mmap(-1, max(1, size)))
