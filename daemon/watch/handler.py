"""The watchdog handler: filter, translate, enqueue -- nothing else (it runs on watchdog's
thread; all decisions happen in the watcher's own loop)."""

from __future__ import annotations

import os
import queue
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler

from daemon.watch.events import Kind, RawEvent
from daemon.watch.ignore import ignored_dir, wanted_file

KINDS = {
    "created": Kind.CREATED,
    "modified": Kind.MODIFIED,
    "closed": Kind.CLOSED,
    "deleted": Kind.DELETED,
    "moved": Kind.MOVED,
}


class FolderEventHandler(FileSystemEventHandler):
    def __init__(
        self,
        root: Path,
        *,
        recursive: bool,
        skip_uploaded: bool,
        allowed_formats: Callable[[], tuple[str, ...]],
        sink: queue.Queue[RawEvent],
        wake: Callable[[], None],
    ) -> None:
        self.root, self.recursive, self.skip_uploaded = root, recursive, skip_uploaded
        self.allowed_formats, self.sink, self.wake = allowed_formats, sink, wake

    def _wanted(self, raw: str | bytes, is_dir: bool) -> Path | None:
        path = Path(os.fsdecode(raw))
        try:
            relative = path.relative_to(self.root)
        except ValueError:
            return None
        if not relative.parts:
            return path if is_dir else None  # the root itself (deleted or moved away)
        if not self.recursive and len(relative.parts) > 1:
            return None
        if is_dir:
            hidden = any(
                ignored_dir(p, at_root=i == 0, skip_uploaded=self.skip_uploaded)
                for i, p in enumerate(relative.parts)
            )
            return None if hidden else path
        return (
            path
            if wanted_file(relative, self.allowed_formats(), skip_uploaded=self.skip_uploaded)
            else None
        )

    def on_any_event(self, event: FileSystemEvent) -> None:
        kind = KINDS.get(event.event_type)
        if kind is None or (event.is_directory and kind in (Kind.MODIFIED, Kind.CLOSED)):
            return
        src = self._wanted(event.src_path, event.is_directory)
        if kind == Kind.MOVED:
            dest = self._wanted(event.dest_path, event.is_directory)
            if src is not None and dest is not None:
                self._put(RawEvent(Kind.MOVED, src, event.is_directory, dest))
            elif dest is not None:  # e.g. "lecture.mp4.part" renamed to "lecture.mp4"
                self._put(RawEvent(Kind.CREATED, dest, event.is_directory))
            elif src is not None:
                self._put(RawEvent(Kind.DELETED, src, event.is_directory))
        elif src is not None:
            self._put(RawEvent(kind, src, event.is_directory))

    def _put(self, event: RawEvent) -> None:
        self.sink.put(event)
        self.wake()
