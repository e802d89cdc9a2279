"""One byte range of the file as an HTTP body: throttled, cancellable, and watching that the
file stays the one that was probed (same size and modification time)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from daemon.transfer.errors import FileChanged, ReadStopped
from daemon.transfer.meter import WireMeter

READ_BLOCK = 64 * 1024


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

    def sha1(self, offset: int, length: int) -> str:
        """SHA-1 of one range, read before the range is sent (B2 wants it up front)."""
        digest = hashlib.sha1()
        with self.path.open("rb") as handle:
            handle.seek(offset)
            left = length
            while left > 0:
                block = handle.read(min(READ_BLOCK, left))
                if not block:
                    raise FileChanged(self.path.name)
                digest.update(block)
                left -= len(block)
        return digest.hexdigest()


class PartStream:
    """File-like body for b2sdk: ``read`` charges the meter, ``seek(0)`` restarts the part."""

    def __init__(
        self, watch: FileWatch, part: int, offset: int, length: int, meter: WireMeter
    ) -> None:
        self.watch, self.part, self.offset, self.length = watch, part, offset, length
        self.meter = meter
        self._handle: IO[bytes] = watch.path.open("rb")
        self._pos = 0
        self.seek(0)

    def __len__(self) -> int:
        return self.length

    def read(self, size: int = -1) -> bytes:
        left = self.length - self._pos
        if left <= 0:
            return b""
        want = left if size is None or size < 0 else min(size, left)
        self.meter.charge(self.part, want)
        data = self._handle.read(want)
        if len(data) < want:
            raise ReadStopped(FileChanged(self.watch.path.name))
        self._pos += len(data)
        return data

    def seek(self, position: int, whence: int = os.SEEK_SET) -> int:
        if whence != os.SEEK_SET:
            position = self.length + position if whence == os.SEEK_END else self._pos + position
        self._pos = max(0, min(position, self.length))
        self._handle.seek(self.offset + self._pos)
        if self._pos == 0:
            self.meter.restart_part(self.part)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._handle.close()

    @property
    def closed(self) -> bool:
        return self._handle.closed
