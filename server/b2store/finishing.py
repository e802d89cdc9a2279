"""Large-file steps that must not overlap with finishing the same file.

Finishing links the parts into the stored file and commits. Meanwhile a cancel, a new
start of the same name (which replaces a capped key's unfinished file), a part sent again
or a second finish would delete or change what is being linked: the finish then failed
half-way, or left a finished file without its row. Finishing marks
its file here; those steps check the mark under the same lock and refuse while it is set.
The embedded store is served by one process, so the mark lives in memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from threading import Lock

from server.b2store.errors import bad_request

_LOCK = Lock()
_FINISHING: set[str] = set()


@contextmanager
def finishing(file_id: str) -> Iterator[None]:
    """Mark a large file as being finished for the duration of the block."""
    with _LOCK:
        if file_id in _FINISHING:
            raise bad_request(f"large file {file_id} is already being finished")
        _FINISHING.add(file_id)
    try:
        yield
    finally:
        with _LOCK:
            _FINISHING.discard(file_id)


@contextmanager
def unless_finishing(file_id: str) -> Iterator[None]:
    """Run the block only if this large file is not being finished; no finish of it
    starts until the block is over."""
    with held():
        refuse_busy([file_id])
        yield


@contextmanager
def held() -> Iterator[None]:
    """While held, no finish begins or ends; check files with ``refuse_busy``."""
    with _LOCK:
        yield


def refuse_busy(file_ids: Iterable[str]) -> None:
    """Call with ``held()``: refuse when one of these large files is being finished."""
    busy = sorted(set(file_ids) & _FINISHING)
    if busy:
        raise bad_request(f"large file {busy[0]} is being finished; try again when it is")
