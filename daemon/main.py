"""The daemon process: job store, pipeline, sign-in, control API; runs until told to stop."""

from __future__ import annotations

import logging
import os
import secrets
import signal
import sys
import threading
from types import FrameType

from daemon.control.app import build_control_app
from daemon.control.server import CONTROL_FILE, ControlServer, bind_loopback, write_control_file
from daemon.control.watch_routes import build_watch_router
from daemon.core.core import DaemonCore
from daemon.db import create_schema, make_engine, make_session_factory
from daemon.instance_lock import AlreadyRunning, InstanceLock
from daemon.logging_setup import setup_logging
from daemon.settings import load_settings
from daemon.startup import start_when_ready
from daemon.watch.setup import build_watcher
from shared import __version__
from shared.app_dirs import AppDirs, app_dirs

log = logging.getLogger(__name__)
STOP_GRACE_SECONDS = 3.0  # for a request in flight to end (a session it opens is then closed)


def run_daemon(*, verbose: bool = False, port: int = 0) -> int:
    # Whatever the daemon writes (job list, settings, log, thumbnails, their rotations and
    # SQLite's side files) is for its user alone; folders in a watched tree are made with
    # the tree's own mode (``make_folders_like``).
    os.umask(0o077)
    dirs = app_dirs().ensure()
    setup_logging(dirs.logs, verbose=verbose)
    try:
        lock = InstanceLock(dirs.runtime).acquire()
    except AlreadyRunning as exc:
        log.warning("not starting: %s", exc)
        print(f"reeldrop daemon: {exc}", file=sys.stderr)
        return 1
    try:
        return _serve(dirs, port)
    finally:
        lock.release()


def _serve(dirs: AppDirs, port: int) -> int:
    settings_path = dirs.config / "settings.json"
    settings = load_settings(settings_path)
    engine = make_engine(dirs.data / "daemon.sqlite")
    import daemon.jobs.models
    import daemon.watch.models  # noqa: F401 - registers the tables

    create_schema(engine)
    core = DaemonCore(
        make_session_factory(engine),
        settings=settings,
        settings_path=settings_path,
        data_dir=dirs.data,
        thumbs_dir=dirs.data / "thumbs",
    )
    stop = threading.Event()
    token = secrets.token_urlsafe(32)
    sock = bind_loopback(port)
    port_ref = [sock.getsockname()[1]]
    app = build_control_app(core, token, port_ref, stop.set)
    watcher = build_watcher(core, make_session_factory(engine))
    app.include_router(build_watch_router(watcher))
    control = ControlServer(app, sock)

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    control.start()
    account = settings.account
    start_when_ready(
        core.start,
        account is not None and account.token_storage == "keyring",
        stop,
        on_wait=core.account.set_waiting,
    )
    watcher.start()  # folders show at once; their jobs wait for the sign-in if need be
    control_file = write_control_file(dirs.runtime, port_ref[0], token)
    log.info("ReelDrop daemon %s listening on 127.0.0.1:%s", __version__, port_ref[0])
    try:
        stop.wait()
    finally:
        log.info("ReelDrop daemon stopping")
        control_file.unlink(missing_ok=True)
        watcher.stop()
        left = core.stop(grace=STOP_GRACE_SECONDS)
        if left:
            log.info(
                "stopped with %d request(s) still waiting for the server; they are made "
                "again at the next start",
                left,
            )
        control.stop()
        engine.dispose()
    return 0


__all__ = ["CONTROL_FILE", "run_daemon"]
