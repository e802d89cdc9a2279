"""``reeldrop`` command line: each part registers its own subcommands.

Registration only builds argparse parsers; the heavy imports happen inside the handlers,
so ``reeldrop --version`` and ``reeldrop status`` start quickly.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from shared import __version__


def build_parser() -> argparse.ArgumentParser:
    from daemon import cli as daemon_cli
    from reeldrop import (
        client_commands,
        desktop_integration,
        gui_command,
        library_commands,
        probe_command,
        watch_commands,
    )
    from reeldrop.doctor import command as doctor_command
    from server import cli as server_cli

    parser = argparse.ArgumentParser(
        prog="reeldrop", description="Get lecture videos onto the course platform."
    )
    parser.add_argument("--version", action="version", version=f"reeldrop {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    server_cli.register(subparsers)
    daemon_cli.register(subparsers)
    client_commands.register(subparsers)
    library_commands.register(subparsers)
    probe_command.register(subparsers)
    desktop_integration.register(subparsers)
    doctor_command.register(subparsers)
    gui_command.register(subparsers)
    watch_commands.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return dispatch(argv)[0]


def dispatch(argv: Sequence[str] | None) -> tuple[int, bool]:
    """Run the command; returns its exit code and whether it only talked to the daemon
    (see ``run``)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None and args.command is None:
        from reeldrop.gui_command import display_present, gui

        if display_present():
            return gui(args), False
    if handler is None:
        parser.print_help(sys.stderr)
        return 2, False
    result = handler(args)
    return int(result or 0), bool(getattr(handler, "daemon_client", False))


def run() -> NoReturn:
    """The installed command. One that only talked to the daemon holds no file, lock or
    window of its own, so once its output is flushed it leaves at once instead of tearing
    the interpreter down (freeing every module: about 30 ms at the end of each
    ``reeldrop upload --wait``)."""
    code, daemon_client = dispatch(None)
    if daemon_client:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    raise SystemExit(code)
