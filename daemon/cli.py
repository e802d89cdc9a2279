"""``reeldrop daemon``: run the upload daemon in the foreground."""

from __future__ import annotations

import argparse
import os
from typing import Any


def run(args: argparse.Namespace) -> int:
    """Once ``run_daemon`` returns, everything the daemon keeps is committed and the
    requests still in flight have had their grace (``DaemonCore.stop``); what may still
    run is a request nobody waits for (an early ``initiate`` to a server that hangs, a part
    on a connection the store stopped reading). The interpreter's exit would wait for each
    of those pool threads, up to a whole request timeout, so the process leaves at once."""
    from daemon.main import run_daemon
    from shared.leave import leave_at_once

    port = int(os.environ.get("REELDROP_CONTROL_PORT", "0"))
    leave_at_once(run_daemon(verbose=args.verbose, port=port))


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser("daemon", help="run the upload daemon in the foreground")
    parser.add_argument("--verbose", action="store_true", help="also log to standard error")
    parser.set_defaults(handler=run)
