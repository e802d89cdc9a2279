"""``reeldrop daemon``: run the upload daemon in the foreground."""

from __future__ import annotations

import argparse
import os
from typing import Any


def run(args: argparse.Namespace) -> int:
    from daemon.main import run_daemon
    from daemon.process_end import end_process

    port = int(os.environ.get("REELDROP_CONTROL_PORT", "0"))
    end_process(run_daemon(verbose=args.verbose, port=port))


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser("daemon", help="run the upload daemon in the foreground")
    parser.add_argument("--verbose", action="store_true", help="also log to standard error")
    parser.set_defaults(handler=run)
