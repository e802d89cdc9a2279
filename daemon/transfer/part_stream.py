"""One byte range of the file as an HTTP body: throttled, cancellable, and watching that the
file stays the one that was probed (same size and modification time)."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from daemon.transfer.errors import FileChanged, ReadStopped
from daemon.transfer.meter import WireMeter
from shared.block_buffer import block_buffer

BLOCK = 1 << 20
MIN_BLOCK = 16 * 1024
SHA1_HEX_LENGTH = 40


@dataclass(frozen=True)
class FileWatch:
    """The file as it was probed; ``check`` raises FileChanged when it is not any more."""

    path: Path
    size: int
    mtime: float

    @classmethod
    def now(cls, path: Path) -> FileWatch:
        stat = path.stat()
        return cls(path, stat.st_size, stat.st_mtime)

    def check(self) -> None:
        try:
            stat = self.path.stat()
        except OSError:
            raise FileChanged(self.path.name) from None
        if (stat.st_size, stat.st_mtime) != (self.size, self.mtime):
            raise FileChanged(self.path.name)


class PartStream:
    """One range of the file as a request body, read once: an iterable of blocks of up to
    1 MiB (a file-like body would be read 16 KiB at a time by the HTTP layer), each charged
    to the meter before it is read. With ``sha1_at_end`` the range's SHA-1 is computed while
    it is sent and follows it as 40 hex digits (B2's ``hex_digits_at_end``), so no pass over
    the range is needed before sending. ``seek(0)`` (b2sdk rewinds before each attempt)
    starts the part over. Every block is read into one buffer per pass: the HTTP layer
    sends a block before it asks for the next, and no block is allocated and freed. The
    buffer is a mapping of its own (``block_buffer``), returned to the system when the
    pass is dropped, not cached by the allocator of the thread that sent the part."""

    def __init__(
        self,
        watch: FileWatch,
        part: int,
        offset: int,
        length: int,
        meter: WireMeter,
        *,
        sha1_at_end: bool = False,
    ) -> None:
        self.watch, self.part, self.offset, self.length = watch, part, offset, length
        self.meter = meter
        self.sha1_at_end = sha1_at_end
        self.sha1: str | None = None
        try:
            # Binary, unbuffered, its own position: a positional read (``os.preadv``) does
            # not exist on Windows, and a part's reads never share this handle.
            self._file: io.FileIO | None = io.FileIO(watch.path, "rb")
        except OSError:  # deleted or replaced since the last check: not the probed file
            raise FileChanged(watch.path.name) from None
        self.seek(0)

    def __len__(self) -> int:
        return self.length + (SHA1_HEX_LENGTH if self.sha1_at_end else 0)

    def seek(self, position: int, whence: int = os.SEEK_SET) -> int:
        if position != 0 or whence != os.SEEK_SET:
            raise ValueError("a part body can only be rewound to its start")
        self.sha1 = None
        self.meter.restart_part(self.part)
        return 0

    def __iter__(self) -> Iterator[bytes | memoryview]:
        assert self._file is not None, "the part body was closed"
        digest = hashlib.sha1() if self.sha1_at_end else None
        buffer = block_buffer(min(BLOCK, self.length))
        done = 0
        self._file.seek(self.offset)  # the reads that follow go on from there
        while done < self.length:
            want = min(self._block(), self.length - done)
            self.meter.charge(self.part, want)
            data = buffer[:want]
            if (self._file.readinto(data) or 0) < want:
                raise ReadStopped(FileChanged(self.watch.path.name))
            if digest is not None:
                digest.update(data)
            done += want
            yield data
        if digest is not None:
            self.sha1 = digest.hexdigest()
            yield self.sha1.encode("ascii")

    def _block(self) -> int:
        """1 MiB, or a tenth of a second of traffic under a bandwidth limit (smooth pacing)."""
        rate = self.meter.limiter.rate
        return BLOCK if rate is None else max(MIN_BLOCK, min(BLOCK, rate // 10))

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    @property
    def closed(self) -> bool:
        return self._file is None
