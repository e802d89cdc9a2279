"""Sending one file as a B2 large file in large parts (see ``part_size``), resuming what the
store already holds and recognising a large file an earlier run already finished."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass

from b2sdk.v2 import Bucket, FileVersion
from b2sdk.v2.exception import FileNotPresent

from daemon.transfer.b2_session import PART_WORKERS, b2_errors
from daemon.transfer.errors import (
    CredentialsExpired,
    FileChanged,
    TransferCancelled,
    TransferError,
)
from daemon.transfer.meter import WireMeter
from daemon.transfer.part_size import part_ranges, resumable_part_size
from daemon.transfer.part_stream import FileWatch, PartStream
from daemon.transfer.target import UploadTarget

log = logging.getLogger(__name__)
HEX_DIGITS_AT_END = "hex_digits_at_end"  # each part's SHA-1 follows its bytes


@dataclass(frozen=True)
class Found:
    """What the store has for this upload: a large file to continue, or a finished one."""

    large_file_id: str
    finished: FileVersion | None = None
    fresh: bool = False  # just started: the store holds no part of it, none to list


def find_or_start(
    bucket: Bucket,
    target: UploadTarget,
    content_type: str,
    content_sha1: str | None,
    size: int,
    resume_id: str | None,
    new_session: bool = False,
) -> Found:
    """The saved large file if it is unfinished; the finished file if an earlier run
    completed it (a crash between finishing and recording it); otherwise a new one.

    The storage key is this upload session's own, so a finished version of the same size
    under it is this upload (and when the SHA-1 is known it must agree too); a session
    opened for this very upload (``new_session``) has none."""
    info = {"large_file_sha1": content_sha1} if content_sha1 else {}
    with b2_errors():
        if resume_id:
            for unfinished in bucket.list_unfinished_large_files(prefix=target.storage_key):
                if unfinished.file_id == resume_id:
                    return Found(resume_id)
            try:
                version = bucket.get_file_info_by_id(resume_id)
            except FileNotPresent:
                version = None
            if version is not None and version.file_name == target.storage_key:
                return Found(resume_id, version)
        versions: Iterable[FileVersion] = (
            () if new_session else bucket.list_file_versions(target.storage_key, 100)
        )
        for version in versions:
            stored_sha1 = version.file_info.get("large_file_sha1")
            same = not (content_sha1 and stored_sha1) or stored_sha1 == content_sha1
            if version.file_name == target.storage_key and version.size == size and same:
                return Found(version.id_, version)
        started = bucket.api.session.start_large_file(
            bucket.id_, target.storage_key, content_type, info
        )
    return Found(str(started["fileId"]), fresh=True)


def send_parts(
    bucket: Bucket,
    large_file_id: str,
    watch: FileWatch,
    part_sizes: Sequence[int],
    meter: WireMeter,
    *,
    fresh: bool = False,
) -> str:
    """Send the parts the store does not hold yet (at most PART_WORKERS at once) in the
    first of ``part_sizes`` that agrees with the parts already stored, then finish the
    large file; returns the finished file's id."""
    stored = {}
    if not fresh:
        with b2_errors():
            stored = {p.part_number: p for p in bucket.list_parts(large_file_id)}
    lengths = {n: p.content_length for n, p in stored.items()}
    part_size = resumable_part_size(watch.size, lengths, part_sizes)
    if part_size is None:
        raise TransferError("the stored parts do not match this file", transient=False)
    ranges = part_ranges(watch.size, part_size)
    expected = {number: length for number, _offset, length in ranges}
    sha1s = {n: p.content_sha1 for n, p in stored.items()}
    if stored:
        meter.already_stored(sum(expected[n] for n in stored))
    missing = [r for r in ranges if r[0] not in stored]
    errors: list[BaseException] = []
    with ThreadPoolExecutor(PART_WORKERS, thread_name_prefix="part") as pool:
        futures = {
            pool.submit(_send_part, bucket, large_file_id, watch, n, off, length, meter): n
            for n, off, length in missing
        }
        for future in as_completed(futures):
            try:
                sha1s[futures[future]] = future.result()
            except BaseException as exc:  # first failure stops the other parts
                meter.abort.set()
                errors.append(exc)
    if errors:
        raise _most_telling(errors)
    watch.check()
    with b2_errors():
        finished = bucket.api.session.finish_large_file(
            large_file_id, [sha1s[n] for n, _o, _l in ranges]
        )
    return str(finished["fileId"])


def _send_part(
    bucket: Bucket,
    large_file_id: str,
    watch: FileWatch,
    number: int,
    offset: int,
    length: int,
    meter: WireMeter,
) -> str:
    meter.check_plain()
    watch.check()
    stream = PartStream(watch, number, offset, length, meter, sha1_at_end=True)
    try:
        with b2_errors():
            answer = bucket.api.session.upload_part(
                large_file_id, number, len(stream), HEX_DIGITS_AT_END, stream
            )
    finally:
        stream.close()
    watch.check()
    meter.part_stored(number, length)
    return str(stream.sha1 or answer["contentSha1"])


def _most_telling(errors: list[BaseException]) -> BaseException:
    """The error that explains the stop (a changed file, an expired key) over the
    cancellations it caused in the other parts."""
    for kind in (FileChanged, CredentialsExpired, TransferError, TransferCancelled):
        for exc in errors:
            if isinstance(exc, kind):
                return exc
    return errors[0]
