"""Filesystem events in, one decision per path out. ``merge`` is pure: the watchdog handler
only turns events into ``RawEvent`` and queues them; the watcher merges each batch here."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class Kind(StrEnum):
    CREATED = "created"
    MODIFIED = "modified"
    CLOSED = "closed"  # closed after writing: the writer says it is done
    DELETED = "deleted"
    MOVED = "moved"


@dataclass(frozen=True)
class RawEvent:
    kind: Kind
    path: Path
    is_dir: bool = False
    dest: Path | None = None  # for MOVED


class Signal(StrEnum):
    """The last thing the events say about a file's writer."""

    APPEARED = "appeared"  # created or renamed into place: nothing known about a writer
    WRITING = "writing"  # written to, and not closed since
    CLOSED = "closed"  # closed after writing


@dataclass
class Batch:
    """What a run of events means once merged: files present (with their writer signal),
    files gone, folders to scan (created or moved in) and folders gone."""

    files: dict[Path, Signal] = field(default_factory=dict)
    gone: set[Path] = field(default_factory=set)
    dirs_to_scan: set[Path] = field(default_factory=set)
    dirs_gone: set[Path] = field(default_factory=set)


def merge(events: list[RawEvent]) -> Batch:
    """Collapse events in order: the last event about a path decides what it is now."""
    batch = Batch()

    def present(path: Path, signal: Signal) -> None:
        batch.gone.discard(path)
        batch.files[path] = signal

    def vanished(path: Path) -> None:
        batch.files.pop(path, None)
        batch.gone.add(path)

    for event in events:
        if event.is_dir:
            if event.kind == Kind.CREATED:
                batch.dirs_to_scan.add(event.path)
                batch.dirs_gone.discard(event.path)
            elif event.kind == Kind.DELETED:
                batch.dirs_gone.add(event.path)
                batch.dirs_to_scan.discard(event.path)
            elif event.kind == Kind.MOVED and event.dest is not None:
                batch.dirs_gone.add(event.path)
                batch.dirs_to_scan.discard(event.path)
                batch.dirs_to_scan.add(event.dest)
                batch.dirs_gone.discard(event.dest)
            continue
        if event.kind == Kind.CREATED:
            present(event.path, batch.files.get(event.path, Signal.APPEARED))
        elif event.kind == Kind.MODIFIED:
            present(event.path, Signal.WRITING)
        elif event.kind == Kind.CLOSED:
            present(event.path, Signal.CLOSED)
        elif event.kind == Kind.DELETED:
            vanished(event.path)
        elif event.kind == Kind.MOVED and event.dest is not None:
            signal = batch.files.get(event.path, Signal.APPEARED)
            vanished(event.path)
            present(event.dest, signal)
    return batch
