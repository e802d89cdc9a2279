"""The watcher: one loop thread that turns folder events into uploads, exactly once each.

watchdog's threads only queue events (``handler.py``); this loop merges them
(``events.merge``), keeps candidates until they are finished (``readiness``), recognises
content it already took (``fingerprint``) and hands ready files to the jobs (``sink``).
It sleeps until an event arrives or a candidate or folder is due, so an idle tree costs
nothing but a folder-presence check every few seconds.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path

from daemon.watch.events import Batch, RawEvent, Signal, merge
from daemon.watch.files import FileKeeper
from daemon.watch.folders import (
    FolderRuntime,
    FolderState,
    NotWatched,
    missing_message,
    normalise,
)
from daemon.watch.handler import FolderEventHandler
from daemon.watch.observer import NativeWatches, WatchRefused
from daemon.watch.readiness import Candidate, Step, decide, due_at
from daemon.watch.registry import FolderConfig, WatchRegistry
from daemon.watch.scanner import Seen, scan
from daemon.watch.sink import JobSink
from shared.control.schemas import FolderView

log = logging.getLogger(__name__)
HEALTH_SECONDS = 3.0  # how often folder presence is checked
MAX_SLEEP = 30.0
NATIVE_RETRY_MAX = 300.0  # a refused folder asks for a native watch again at most this late


def poll_seconds(quiet_seconds: float) -> float:
    return max(2.0, 2 * quiet_seconds)


class Watcher:
    def __init__(
        self,
        registry: WatchRegistry,
        sink: JobSink,
        *,
        quiet_seconds: Callable[[], float],
        allowed_formats: Callable[[], tuple[str, ...]],
        check_course: Callable[[str | None], None] = lambda _course: None,
    ) -> None:
        """``check_course`` raises for a course the user does not teach, so a folder is
        never watched for a course every one of its uploads would be refused for."""
        self.registry, self.sink = registry, sink
        self.check_course = check_course
        self.quiet_seconds, self.allowed_formats = quiet_seconds, allowed_formats
        self.native = NativeWatches()
        self.keeper = FileKeeper(registry, sink, quiet_seconds)
        self.folders: dict[str, FolderRuntime] = {}
        self.candidates: dict[Path, Candidate] = {}
        self.events: queue.Queue[RawEvent] = queue.Queue()
        self.finished_jobs: queue.Queue[str] = queue.Queue()
        self._lock = threading.RLock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._next_health = 0.0

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        self.native.start()
        self.keeper.load()
        for config in self.registry.folders():
            self._activate(FolderRuntime(config))
        for target, name in ((self._loop, "watch-loop"), (self._follow_jobs, "watch-jobs")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout=10)
        self.native.stop()

    def wake(self) -> None:
        self._wake.set()

    # -- requests (control API threads) ----------------------------------------------------

    def add(
        self,
        path: str,
        course_id: str | None = None,
        recursive: bool = True,
        after_upload: str = "keep",
    ) -> FolderView:
        root = normalise(path)
        self.check_course(course_id)
        config = FolderConfig(str(root), course_id, recursive, after_upload)
        with self._lock:
            old = self.folders.pop(config.path, None)
            if old is not None:
                self.native.unwatch(old.root)
            self.registry.save_folder(config)
            folder = self._activate(FolderRuntime(config))
            return folder.view(0)

    def remove(self, path: str) -> None:
        """Stop watching: no new uploads from the folder; running ones carry on."""
        key = str(Path(path).expanduser().resolve()) if path.strip() else path
        with self._lock:
            folder = self.folders.pop(key, None) or self.folders.pop(path, None)
            if folder is None:
                raise NotWatched(f"{path} is not a watched folder")
            self.native.unwatch(folder.root)
            self.registry.remove_folder(folder.config.path)
        self.wake()

    def views(self) -> list[FolderView]:
        with self._lock:
            folders = list(self.folders.values())
        waiting: dict[str, int] = {}
        for candidate in list(self.candidates.values()):
            waiting[candidate.folder] = waiting.get(candidate.folder, 0) + 1
        return [f.view(waiting.get(f.config.path, 0)) for f in folders]

    # -- folder states ---------------------------------------------------------------------

    def _activate(self, folder: FolderRuntime) -> FolderRuntime:
        """Watch natively if the OS lets us, else poll; missing folders wait to return."""
        with self._lock:
            self.folders[folder.config.path] = folder
            if not folder.root.is_dir():
                self._set(folder, FolderState.MISSING, missing_message(folder.root))
                return folder
            error = self._watch_natively(folder)
            folder.needs_scan = True
            self._set(folder, FolderState.SCANNING, error)
        if folder.moves_uploaded:  # uploads that finished while nobody was listening
            for record in self.registry.submitted_from(folder.config.path):
                if record.job_id and not Path(record.path).is_relative_to(folder.uploaded_dir):
                    self.finished_jobs.put(record.job_id)
        self.wake()
        return folder

    def _watch_natively(self, folder: FolderRuntime) -> str | None:
        """Ask the OS for a watch; on refusal poll, and ask again later (backing off, as a
        refused recursive watch costs a walk of the tree). Returns the error to show."""
        handler = FolderEventHandler(
            folder.root,
            recursive=folder.config.recursive,
            skip_uploaded=folder.moves_uploaded,
            allowed_formats=self.allowed_formats,
            sink=self.events,
            wake=self.wake,
        )
        try:
            self.native.watch(folder.root, handler, recursive=folder.config.recursive)
        except WatchRefused as exc:
            every = poll_seconds(self.quiet_seconds())
            folder.mode = FolderState.POLLING
            backoff = 2 * folder.native_backoff if folder.native_backoff else HEALTH_SECONDS
            folder.native_backoff = min(NATIVE_RETRY_MAX, backoff)
            folder.native_retry_at = time.monotonic() + folder.native_backoff
            error = f"{exc}; meanwhile this folder is scanned every {every:g} s"
            log.warning("watching %s natively failed: %s", folder.root, error)
            return error
        folder.mode, folder.native_backoff = FolderState.WATCHING, 0.0
        return None

    def _retry_native(self, folder: FolderRuntime, now: float) -> None:
        """A polled folder goes back to native events once the OS allows a watch."""
        if folder.mode != FolderState.POLLING or now < folder.native_retry_at:
            return
        with self._lock:
            if self._watch_natively(folder) is None:
                log.info("watching %s natively again", folder.root)
                folder.needs_scan = True  # what changed since the last poll
                self._set(folder, FolderState.SCANNING, None)

    def _set(self, folder: FolderRuntime, state: FolderState, error: str | None) -> None:
        if (folder.state, folder.error) == (state, error):
            return
        folder.state, folder.error = state, error
        if self.folders.get(folder.config.path) is folder:
            self.sink.announce_folder(folder.view(0).model_dump(mode="json", by_alias=True))

    def _check_presence(self, now: float) -> None:
        if now < self._next_health:
            return
        self._next_health = now + HEALTH_SECONDS
        with self._lock:
            folders = list(self.folders.values())
        for folder in folders:
            present = folder.root.is_dir()
            if folder.state == FolderState.MISSING and present:
                log.info("watched folder %s is back", folder.root)
                self._activate(folder)
            elif folder.state != FolderState.MISSING and not present:
                log.info("watched folder %s is gone", folder.root)
                self.native.unwatch(folder.root)
                self._forget_candidates_of(folder.config.path)
                self._set(folder, FolderState.MISSING, missing_message(folder.root))
            elif folder.state != FolderState.MISSING:
                self._retry_native(folder, now)

    # -- the loop --------------------------------------------------------------------------

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self._tick(time.monotonic())
            except Exception:
                log.exception("watched-folder pass failed")
            self._wake.wait(self._sleep_for(time.monotonic()))
            self._wake.clear()

    def _sleep_for(self, now: float) -> float:
        due = [self._next_health]
        quiet = self.quiet_seconds()
        due += [due_at(c, quiet) for c in self.candidates.values()]
        due += [
            f.next_poll
            for f in list(self.folders.values())
            if f.mode == FolderState.POLLING and f.state != FolderState.MISSING
        ]
        return min(MAX_SLEEP, max(0.05, min(due) - now))

    def _tick(self, now: float) -> None:
        self._apply(merge(_drain(self.events)), now)
        self._check_presence(now)
        with self._lock:
            folders = list(self.folders.values())
        for folder in folders:
            polling = folder.mode == FolderState.POLLING and now >= folder.next_poll
            if folder.state != FolderState.MISSING and (folder.needs_scan or polling):
                self._scan(folder, folder.root, now)
        self._settle(now)
        while not self.finished_jobs.empty():
            self._after_upload(self.finished_jobs.get_nowait())

    def _scan(self, folder: FolderRuntime, under: Path, now: float) -> None:
        folder.needs_scan = False
        seen = scan(
            under,
            recursive=folder.config.recursive,
            allowed_formats=self.allowed_formats(),
            skip_uploaded=folder.moves_uploaded,
        )
        for item in seen:
            if under != folder.root and not folder.contains(item.path):
                continue
            self._consider(folder, item, now, Signal.APPEARED)
        folder.next_poll = now + poll_seconds(self.quiet_seconds())
        if folder.state == FolderState.SCANNING and self.folders.get(folder.config.path) is folder:
            self._set(folder, folder.mode, folder.error)

    def _owner(self, path: Path) -> FolderRuntime | None:
        """The deepest watched folder that takes this path."""
        best: FolderRuntime | None = None
        for folder in list(self.folders.values()):
            if (
                folder.state != FolderState.MISSING
                and folder.contains(path)
                and (best is None or len(folder.config.path) > len(best.config.path))
            ):
                best = folder
        return best

    def _apply(self, batch: Batch, now: float) -> None:
        for path in batch.gone:
            self.candidates.pop(path, None)
        if batch.dirs_gone:
            self._drop_candidates(lambda c: any(c.path.is_relative_to(d) for d in batch.dirs_gone))
        for path, signal in batch.files.items():
            folder = self._owner(path)
            stat = self._stat_or_forget(path)
            if folder is None or stat is None:
                continue
            self._consider(folder, Seen(path, stat.st_size, stat.st_mtime), now, signal)
        for directory in batch.dirs_to_scan:
            folder = self._owner(directory)
            if folder is not None and directory.is_dir():
                self._scan(folder, directory, now)

    def _consider(self, folder: FolderRuntime, seen: Seen, now: float, signal: Signal) -> None:
        candidate = self.candidates.get(seen.path)
        if candidate is None:
            if signal != Signal.WRITING and self.keeper.already_taken(seen):
                return
            candidate = Candidate(seen.path, folder.config.path, seen.size, seen.mtime, now)
            self.candidates[seen.path] = candidate
        else:
            candidate.observe(seen.size, seen.mtime, now)
        if signal == Signal.WRITING:
            candidate.writing = True
        elif signal == Signal.CLOSED:
            candidate.writing = False

    def _stat_or_forget(self, path: Path) -> os.stat_result | None:
        """The file's stat, or None (and no longer a candidate) when it is gone."""
        try:
            return path.stat()
        except OSError:
            self.candidates.pop(path, None)
            return None

    def _forget_candidates_of(self, folder_path: str) -> None:
        self._drop_candidates(lambda c: c.folder == folder_path)

    def _drop_candidates(self, which: Callable[[Candidate], bool]) -> None:
        for path in [p for p, c in self.candidates.items() if which(c)]:
            self.candidates.pop(path, None)

    def _settle(self, now: float) -> None:
        quiet = self.quiet_seconds()
        for path, candidate in list(self.candidates.items()):
            folder = self.folders.get(candidate.folder)
            if folder is None or folder.state == FolderState.MISSING:
                self.candidates.pop(path, None)
                continue
            if decide(candidate, now, quiet) != Step.CHECK:
                continue  # not due: events (or the next poll) report changes meanwhile
            stat = self._stat_or_forget(path)
            if stat is None:
                continue
            candidate.observe(stat.st_size, stat.st_mtime, now)
            if decide(candidate, now, quiet) != Step.CHECK:
                continue
            if self.keeper.take(candidate, folder.config):
                self.candidates.pop(path, None)
            else:
                candidate.next_check = time.monotonic() + quiet
            if self._stop.is_set():
                return

    # -- after upload ----------------------------------------------------------------------

    def _follow_jobs(self) -> None:
        subscription = self.sink.subscribe()
        try:
            while not self._stop.is_set():
                try:
                    event = subscription.get(timeout=1)
                except queue.Empty:
                    continue
                if event is None:  # the daemon stops
                    return
                job = event.job
                if event.type == "job" and job is not None and job.state in ("done", "duplicate"):
                    self.finished_jobs.put(job.id)
                    self.wake()
        finally:
            self.sink.unsubscribe(subscription)

    def _after_upload(self, job_id: str) -> None:
        record = self.registry.for_job(job_id)
        if record is None:
            return
        with self._lock:
            folder = self.folders.get(self.keeper.folder_of(record))
        if folder is None or not folder.moves_uploaded:
            return
        if self.sink.job_state(job_id) not in ("done", "duplicate"):
            return
        with contextlib.suppress(OSError):
            self.keeper.move_to_uploaded(record, folder.root)


def _drain(events: queue.Queue[RawEvent], limit: int = 100_000) -> list[RawEvent]:
    drained: list[RawEvent] = []
    while len(drained) < limit:
        try:
            drained.append(events.get_nowait())
        except queue.Empty:
            break
    return drained
