"""Which part size a large file goes in.

Each part costs a request and a commit at the store, so large parts are faster: on the
embedded store 5 MiB parts run at about 0.7x the throughput of 50-200 MiB parts. The
daemon therefore uses the larger of the server's ``partSize`` and the store's
``recommendedPartSize`` (100 MB on B2). Parts are streamed from the file, so the size
costs no memory; what it costs is resume waste, which stays at most the parts in flight.

A large file that an earlier run started keeps the part size its stored parts were sent
in (the daemon, the server's setting or the store's recommendation may have changed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

MAX_PARTS = 10_000  # B2's limit per large file
MAX_PART_SIZE = 5 * 1000 * 1000 * 1000  # B2's largest part


def part_ranges(size: int, part_size: int) -> list[tuple[int, int, int]]:
    """``(part_number, offset, length)`` for every part; the last one may be short."""
    step = max(part_size, 1)
    offsets = range(0, size, step)
    return [(n + 1, offset, min(step, size - offset)) for n, offset in enumerate(offsets)]


def preferred_part_size(size: int, server_part_size: int, recommended: int) -> int:
    """The larger of the server's and the store's part size, raised so the file fits in
    B2's 10,000 parts and capped at B2's largest part."""
    fits = -(-size // MAX_PARTS)
    return min(MAX_PART_SIZE, max(server_part_size, recommended, fits, 1))


def resumable_part_size(
    size: int, stored: Mapping[int, int], choices: Sequence[int]
) -> int | None:
    """The first of ``choices``, then of the stored parts' lengths, that splits the file
    into at least two parts and agrees with every stored part (number -> length); None
    when no size does (the stored parts are not this file's)."""
    for candidate in (*choices, *sorted(set(stored.values()), reverse=True)):
        if candidate <= 0 or size <= candidate or -(-size // candidate) > MAX_PARTS:
            continue
        expected = {number: length for number, _offset, length in part_ranges(size, candidate)}
        if all(expected.get(number) == length for number, length in stored.items()):
            return candidate
    return None
