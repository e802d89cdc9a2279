"""File bytes on disk: streamed in with their SHA-1 computed on the way, never held in memory."""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

from server.b2store.errors import B2Error, bad_request
from server.b2store.spool import Spool

CHUNK = 1 << 20
ASSEMBLE_WORKERS = min(4, os.cpu_count() or 1)


def _copy_part(fd: int, number: int, part: Path, offset: int, sha1: str) -> int | None:
    """Write one part file at ``offset`` of ``fd``; its number if it does not match its
    recorded SHA-1 (damaged), else None."""
    digest = hashlib.sha1()
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    with open(part, "rb", buffering=0) as source:
        while n := source.readinto(view):
            digest.update(view[:n])
            written = 0
            while written < n:
                written += os.pwrite(fd, view[written:n], offset + written)
            offset += n
    return None if digest.hexdigest() == sha1.removeprefix("unverified:") else number


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
        """Remove temp files left by uploads that a crash or restart cut off; how many.

        Only when the server starts (``sweep_leftovers``): anything else that opens the
        store (``reeldrop server storage-info`` beside a running server) would delete the
        temp files of the uploads in flight."""
        removed = 0
        for leftover in (self.root / "tmp").iterdir():
            if leftover.is_file():
                leftover.unlink(missing_ok=True)
                removed += 1
        return removed

    def file_path(self, file_id: str) -> Path:
        return self.root / "files" / file_id

    def part_path(self, file_id: str, part_number: int) -> Path:
        return self.root / "parts" / file_id / f"{part_number:05d}"

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

    def keep_part(self, tmp: Path, file_id: str, part_number: int) -> None:
        path = self.part_path(file_id, part_number)
        path.parent.mkdir(exist_ok=True, mode=0o700)
        os.replace(tmp, path)

    def assemble(self, file_id: str, parts: list[tuple[int, str]]) -> None:
        """Concatenate the parts (number, SHA-1) into the final file; the parts stay until the
        caller's database commit, so a crash in between leaves the file finishable again.

        Each part is checked against its recorded SHA-1 on the way: a part file rewritten by
        an upload that died before its database write is caught here, never served. Parts
        are hashed and written at their offsets by several threads (hashing and file I/O
        release the GIL): finishing a large file is bound by SHA-1 speed, not by the disk."""
        tmp = self.root / "tmp" / uuid.uuid4().hex
        try:
            jobs, offset = [], 0
            for number, sha1 in parts:
                path = self.part_path(file_id, number)
                jobs.append((number, path, offset, sha1))
                offset += path.stat().st_size
            with _new_private_file(tmp) as out, ThreadPoolExecutor(ASSEMBLE_WORKERS) as pool:
                fd = out.fileno()
                damaged = [n for n in pool.map(lambda job: _copy_part(fd, *job), jobs) if n]
            if damaged:
                raise bad_request(
                    f"part {damaged[0]} is damaged; upload it again", "part_sha1_mismatch"
                )
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise B2Error(
                500, "internal_error", f"could not assemble the large file: {exc}"
            ) from None
        except B2Error:
            tmp.unlink(missing_ok=True)
            raise
        os.replace(tmp, self.file_path(file_id))

    def copy_range(self, source: Path, first: int, end: int) -> tuple[Path, int, str]:
        """Bytes ``first`` up to ``end`` of a stored file, as a temp file with its SHA-1."""
        tmp = self.root / "tmp" / uuid.uuid4().hex
        digest = hashlib.sha1()
        remaining = end - first
        try:
            with open(source, "rb") as src, _new_private_file(tmp) as out:
                src.seek(first)
                while remaining > 0:
                    chunk = src.read(min(CHUNK, remaining))
                    if not chunk:
                        raise OSError("the source file is shorter than recorded")
                    digest.update(chunk)
                    out.write(chunk)
                    remaining -= len(chunk)
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
        self.file_path(file_id).unlink(missing_ok=True)
