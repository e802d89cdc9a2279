"""File bytes on disk: streamed in with their SHA-1 computed on the way, never held in memory.

A stored file is one blob (``files/<id>``: simple uploads and copies) or, for a finished
large file, a folder of its parts in order (``files/<id>/00001``, ...), hard links to the
part files it was finished from. Finishing therefore writes no byte again: B2 keeps large
files as their parts too, and copying a multi-gigabyte upload once more at finish doubled
the disk writes of every upload. Part files are named by their SHA-1, so the file a part's
row names is always the one whose bytes were checked against it."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Generator
from pathlib import Path
from typing import BinaryIO

from server.b2store.errors import B2Error, bad_request
from server.b2store.spool import Spool

CHUNK = 1 << 20


def sha1_hex(sha1: str) -> str:
    """The digits of a recorded SHA-1 (``unverified:<sha1>`` for a ``do_not_verify`` one)."""
    return sha1.rpartition(":")[2]


def _sha1_of(path: Path) -> str:
    digest = hashlib.sha1()
    with open(path, "rb", buffering=0) as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _link_or_copy(source: Path, target: Path) -> None:
    """A hard link; a private copy where the file system has none (exFAT, some network
    and FUSE mounts), where finishing then costs a copy of the bytes again."""
    try:
        os.link(source, target)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
        with open(source, "rb") as src, _new_private_file(target) as out:
            shutil.copyfileobj(src, out, CHUNK)


def _private_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)  # also when an older version made it with the umask's mode


def _new_private_file(path: Path) -> BinaryIO:
    """Open a new file only its owner can read: the bytes are users' lectures."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")


class BlobDir:
    def __init__(self, root: Path) -> None:
        self.root = root
        _private_dir(root)
        for sub in ("files", "parts", "tmp"):
            _private_dir(root / sub)

    def sweep_temp(self) -> int:
        """Remove temp files (and the part links of a finish) that a crash or restart cut
        off; how many.

        Only when the server starts (``sweep_leftovers``): anything else that opens the
        store (``reeldrop server storage-info`` beside a running server) would delete the
        temp files of the uploads in flight."""
        removed = 0
        for leftover in (self.root / "tmp").iterdir():
            if leftover.is_dir():  # the links of a finish that a crash cut off
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
            removed += 1
        return removed

    def file_path(self, file_id: str) -> Path:
        return self.root / "files" / file_id

    def part_path(self, file_id: str, part_number: int, sha1: str) -> Path:
        return self.root / "parts" / file_id / f"{part_number:05d}-{sha1_hex(sha1)}"

    async def receive(
        self, stream: AsyncIterator[bytes], content_length: int, declared_sha1: str
    ) -> tuple[Path, int, str]:
        """Write the body to a temp file; check length and SHA-1 (B2's three forms)."""
        sha1_at_end = declared_sha1 == "hex_digits_at_end"
        data_length = content_length - 40 if sha1_at_end else content_length
        if data_length < 0:
            raise bad_request("Content-Length is too small for hex_digits_at_end")
        tmp = self.root / "tmp" / uuid.uuid4().hex
        received = 0
        tail = b""
        try:
            with _new_private_file(tmp) as out:
                spool = Spool(out)
                try:
                    async for chunk in stream:
                        if not chunk:
                            continue
                        if received + len(chunk) > content_length:
                            raise bad_request("more bytes were sent than Content-Length declared")
                        data_part = chunk[: max(0, data_length - received)]
                        if data_part:
                            await spool.add(data_part)
                        if len(data_part) < len(chunk):
                            tail += chunk[len(data_part) :]
                        received += len(chunk)
                    actual = await spool.finish()
                finally:
                    spool.settle()
            if received != content_length:
                raise bad_request(
                    f"the body had {received} bytes but Content-Length said {content_length}"
                )
            expected = tail.decode("ascii", "replace").lower() if sha1_at_end else declared_sha1
            if expected != "do_not_verify" and expected.lower() != actual:
                raise bad_request("sha1 did not match data received", "bad_request")
            return tmp, data_length, actual
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def keep_file(self, tmp: Path, file_id: str) -> None:
        os.replace(tmp, self.file_path(file_id))

    def keep_part(self, tmp: Path, file_id: str, part_number: int, sha1: str) -> None:
        path = self.part_path(file_id, part_number, sha1)
        path.parent.mkdir(exist_ok=True, mode=0o700)
        os.replace(tmp, path)

    def drop_part(self, file_id: str, part_number: int, sha1: str) -> None:
        """A part sent again with other bytes: the file of the one it replaced."""
        self.part_path(file_id, part_number, sha1).unlink(missing_ok=True)

    def _kept_part(self, file_id: str, number: int, sha1: str) -> Path | None:
        """The part file recorded with ``sha1``; a part kept by an earlier version of the
        store (named by its number alone) only if its bytes still have that SHA-1."""
        path = self.part_path(file_id, number, sha1)
        if path.is_file():
            return path
        legacy = path.with_name(f"{number:05d}")
        if legacy.is_file() and _sha1_of(legacy) == sha1_hex(sha1):
            return legacy
        return None

    def assemble(self, file_id: str, parts: list[tuple[int, str]]) -> None:
        """The finished file as a folder of hard links to its parts (number, SHA-1), in
        order. The parts stay until the caller's database commit, so a crash in between
        leaves the large file finishable again (the folder, whose row is not an upload,
        is swept at start)."""
        tmp = self.root / "tmp" / uuid.uuid4().hex
        try:
            _private_dir(tmp)
            for index, (number, sha1) in enumerate(parts, start=1):
                kept = self._kept_part(file_id, number, sha1)
                if kept is None:
                    raise bad_request(
                        f"part {number} is missing from the store; upload it again",
                        "part_sha1_mismatch",
                    )
                _link_or_copy(kept, tmp / f"{index:05d}")
            self.drop_file(file_id)  # left by a finish that failed before its commit
            os.replace(tmp, self.file_path(file_id))
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise B2Error(
                500, "internal_error", f"could not assemble the large file: {exc}"
            ) from None
        except B2Error:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    def segments(self, file_id: str) -> list[tuple[Path, int]] | None:
        """The stored file's pieces in order (path, size): one for a simple upload, its
        parts for a large file; None when its bytes are missing."""
        path = self.file_path(file_id)
        try:
            if path.is_dir():
                pieces = sorted(path.iterdir())
                return [(p, p.stat().st_size) for p in pieces]
            return [(path, path.stat().st_size)]
        except FileNotFoundError:
            return None

    @staticmethod
    def read_range(
        pieces: list[tuple[Path, int]], first: int, end: int
    ) -> Generator[bytes, None, None]:
        """Bytes ``first`` up to ``end`` of a stored file (its ``segments``), in chunks of at
        most CHUNK. A piece is opened when the read reaches it: a file deleted meanwhile
        (a large one is a folder of pieces) ends the read with an OSError, and a download
        with fewer bytes than its Content-Length, which clients retry."""
        offset = 0
        for path, size in pieces:
            start, stop = max(first, offset), min(end, offset + size)
            if start < stop:
                with open(path, "rb", buffering=0) as source:
                    source.seek(start - offset)
                    left = stop - start
                    while left > 0:
                        chunk = source.read(min(CHUNK, left))
                        if not chunk:
                            raise OSError("the stored file is shorter than recorded")
                        left -= len(chunk)
                        yield chunk
            offset += size
            if offset >= end:
                return

    def copy_range(self, file_id: str, first: int, end: int) -> tuple[Path, int, str]:
        """Bytes ``first`` up to ``end`` of a stored file, as a temp file with its SHA-1."""
        tmp = self.root / "tmp" / uuid.uuid4().hex
        digest = hashlib.sha1()
        copied = 0
        try:
            pieces = self.segments(file_id)
            if pieces is None:
                raise OSError(f"the bytes of file {file_id} are missing")
            with _new_private_file(tmp) as out:
                for chunk in self.read_range(pieces, first, end):
                    digest.update(chunk)
                    out.write(chunk)
                    copied += len(chunk)
            if copied != end - first:
                raise OSError("the source file is shorter than recorded")
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise B2Error(500, "internal_error", f"could not copy the file: {exc}") from None
        return tmp, end - first, digest.hexdigest()

    def stored_ids(self) -> tuple[set[str], set[str]]:
        """Ids that have a file, and ids that have a parts directory, on disk."""
        files = {p.name for p in (self.root / "files").iterdir()}
        parts = {p.name for p in (self.root / "parts").iterdir()}
        return files, parts

    def drop_parts(self, file_id: str) -> None:
        shutil.rmtree(self.root / "parts" / file_id, ignore_errors=True)

    def drop_file(self, file_id: str) -> None:
        path = self.file_path(file_id)
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
