"""Build the daemon's watcher over its core."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from daemon.core.core import DaemonCore
from daemon.watch.registry import WatchRegistry
from daemon.watch.sink import CoreJobSink
from daemon.watch.watcher import Watcher


def build_watcher(core: DaemonCore, factory: sessionmaker[Session]) -> Watcher:
    """Quiet window from the ``quiet-seconds`` setting (read live, so a change applies at
    once); the extensions taken are the server policy's ALLOWED_VIDEO_FORMATS."""
    return Watcher(
        WatchRegistry(factory),
        CoreJobSink(core),
        quiet_seconds=lambda: float(core.settings.quiet_seconds),
        allowed_formats=lambda: tuple(core.policy().allowed_video_formats),
        check_course=core.check_course,
    )
