"""Walk a watched folder once: what the catch-up at start and the fallback polling see."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from daemon.watch.ignore import ignored_dir, ignored_name

MAX_DEPTH = 64  # bounds the walk through symlink loops and pathological trees


@dataclass(frozen=True)
class Seen:
    path: Path
    size: int
    mtime: float


def scan(
    root: Path, *, recursive: bool, allowed_formats: tuple[str, ...], skip_uploaded: bool
) -> Iterator[Seen]:
    """Every wanted file under ``root`` with its size and mtime (one stat per entry, which
    ``os.scandir`` already has on most systems); unreadable subfolders are skipped."""
    allowed = {f.lower().lstrip(".") for f in allowed_formats}
    stack: list[tuple[str, int]] = [(str(root), 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if (
                        recursive
                        and depth < MAX_DEPTH
                        and not ignored_dir(name, at_root=depth == 0, skip_uploaded=skip_uploaded)
                    ):
                        stack.append((entry.path, depth + 1))
                    continue
                if ignored_name(name) or name.rsplit(".", 1)[-1].lower() not in allowed:
                    continue
                if "." not in name:
                    continue
                stat = entry.stat()
            except OSError:
                continue
            yield Seen(Path(entry.path), stat.st_size, stat.st_mtime)
