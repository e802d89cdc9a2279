"""Taking a finished file: recognise content already taken, else hand it to the jobs once
it is whole, else (long after its last write) reject it with the reason. And after upload,
move it to ``Uploaded`` where the folder asks for that."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from daemon.watch.fingerprint import quick_fingerprint
from daemon.watch.ignore import UPLOADED_DIR
from daemon.watch.readiness import Candidate, give_up, whole_file_problem
from daemon.watch.registry import FolderConfig, Taken, WatchRegistry
from daemon.watch.scanner import Seen
from daemon.watch.sink import JobSink, Refused
from shared.media.hashing import sha1_file

log = logging.getLogger(__name__)
MAX_NAME_TRIES = 1000


class FileKeeper:
    def __init__(
        self, registry: WatchRegistry, sink: JobSink, quiet_seconds: Callable[[], float]
    ) -> None:
        self.registry, self.sink = registry, sink
        self.quiet_seconds = quiet_seconds
        self.known: dict[str, Taken] = {}

    def load(self) -> None:
        self.known = self.registry.latest_by_path()

    def already_taken(self, seen: Seen) -> bool:
        """The same path with the same size and mtime was dealt with before (no reading)."""
        record = self.known.get(str(seen.path))
        return record is not None and (record.size, record.mtime) == (seen.size, seen.mtime)

    def folder_of(self, record: Taken) -> str:
        return record.folder

    def take(self, candidate: Candidate, folder: FolderConfig) -> bool:
        """True when the file is dealt with; False to look again after another quiet window."""
        path = candidate.path
        try:
            fingerprint = quick_fingerprint(path)
            stat = path.stat()
        except OSError:
            return True  # gone meanwhile; an event brings it back if it returns
        if (stat.st_size, stat.st_mtime) != (candidate.size, candidate.mtime):
            return False
        seen = Seen(path, stat.st_size, stat.st_mtime)
        same = self.recognise(path, fingerprint)
        if same is not None:
            log.info("%s is %s again (same content): not uploaded again", path, same.path)
            self._remember(
                self.registry.record(
                    folder.path,
                    seen,
                    fingerprint,
                    same.outcome,
                    job_id=same.job_id,
                    content_sha1=same.content_sha1,
                )
            )
            return True
        problem = whole_file_problem(path)
        if problem is not None:
            if not give_up(time.time() - stat.st_mtime, self.quiet_seconds()):
                return False  # may still be completed (a copy resuming, a slow share)
            return self._reject(folder, seen, fingerprint, *problem)
        try:
            job_id = self.sink.submit(path, folder.course_id, folder.path)
        except Refused as exc:
            return self._reject(folder, seen, fingerprint, exc.code, exc.message)
        except Exception:
            log.exception("%s could not be queued now; trying again shortly", path)
            return False
        self._remember(
            self.registry.record(folder.path, seen, fingerprint, "submitted", job_id=job_id)
        )
        return True

    def _reject(
        self, folder: FolderConfig, seen: Seen, fingerprint: str, code: str, message: str
    ) -> bool:
        job_id = self.sink.reject(seen.path, folder.course_id, folder.path, code, message)
        self._remember(
            self.registry.record(folder.path, seen, fingerprint, "rejected", job_id=job_id)
        )
        return True

    def recognise(self, path: Path, fingerprint: str) -> Taken | None:
        """An upload of this very content (quick fingerprint, confirmed by full SHA-1)."""
        full: str | None = None
        for record in self.registry.with_fingerprint(fingerprint):
            if record.outcome != "submitted" or record.job_id is None:
                continue
            sha1 = record.content_sha1 or self.sink.content_sha1(record.job_id)
            if sha1 is None:
                continue  # not hashed yet: cannot confirm
            if record.content_sha1 is None:
                self.registry.update(record.id, content_sha1=sha1)
            full = full or sha1_file(path)
            if full == sha1:
                return replace(record, content_sha1=sha1)
        return None

    def _remember(self, record: Taken) -> None:
        self.known[record.path] = record

    def move_to_uploaded(self, record: Taken, root: Path) -> Path | None:
        """Move an uploaded file to ``Uploaded/`` (same relative path, a free name)."""
        source = Path(record.path)
        try:
            stat = source.stat()
            relative = source.relative_to(root)
        except (OSError, ValueError):
            return None
        if (stat.st_size, stat.st_mtime) != (record.size, record.mtime):
            return None  # changed since: it is a new file now, not the uploaded one
        target = free_name(root / UPLOADED_DIR / relative)
        make_folders_like(target.parent, root)
        os.rename(source, target)
        self.registry.update(record.id, path=str(target))
        self.known.pop(record.path, None)
        self._remember(replace(record, path=str(target)))
        log.info("uploaded %s; moved to %s", source, target)
        return target


def make_folders_like(folder: Path, model: Path) -> None:
    """Create ``folder`` and its missing parents below ``model`` with ``model``'s mode: the
    daemon's umask keeps its own files private, but folders in the user's tree stay the
    user's to share as the rest of it is."""
    mode = os.stat(model).st_mode & 0o7777
    missing: list[Path] = []
    while not folder.exists() and folder != model and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir(exist_ok=True)
        path.chmod(mode)


def free_name(path: Path) -> Path:
    """``path`` if free, else ``name (2).ext``, ``name (3).ext``, ..."""
    if not path.exists():
        return path
    for n in range(2, MAX_NAME_TRIES):
        candidate = path.with_name(f"{path.stem} ({n}){path.suffix}")
        if not candidate.exists():
            return candidate
    raise FileExistsError(f"no free name for {path.name} in {path.parent}")
