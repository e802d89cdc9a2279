"""``reeldrop`` command line: each part registers its own subcommands.

Registration only builds argparse parsers; the heavy imports happen inside the handlers,
and a command line registers only the module of the command it names, so ``reeldrop
upload`` and ``reeldrop status`` start quickly.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from shared import __version__

COMMAND_MODULES: dict[str, str] = {
    "server": "server.cli",
    "daemon": "daemon.cli",
    "login": "reeldrop.client_commands",
    "logout": "reeldrop.client_commands",
    "upload": "reeldrop.client_commands",
    "status": "reeldrop.client_commands",
    "clear": "reeldrop.client_commands",
    "pause": "reeldrop.client_commands",
    "resume": "reeldrop.client_commands",
    "cancel": "reeldrop.client_commands",
    "retry": "reeldrop.client_commands",
    "settings": "reeldrop.client_commands",
    "media": "reeldrop.library_commands",
    "courses": "reeldrop.library_commands",
    "probe": "reeldrop.probe_command",
    "autostart": "reeldrop.desktop_integration",
    "desktop-entry": "reeldrop.desktop_integration",
    "doctor": "reeldrop.doctor.command",
    "gui": "reeldrop.gui_command",
    "watch": "reeldrop.watch_commands",
}
"""The module that registers each command. A command line that names one registers only
its module: importing every module and building every parser costs ``reeldrop upload``
about 20 ms before its files reach the daemon. (``tests/daemon/test_cli_start.py`` checks
this table against what the modules register; ``installer/reeldrop.spec`` bundles these
modules by name, as PyInstaller cannot follow an import given as a string.)"""


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Every command (``reeldrop --help`` lists them all); or, for a ``command`` in
    ``COMMAND_MODULES``, only the commands of the module that registers it."""
    parser = argparse.ArgumentParser(
        prog="reeldrop", description="Get lecture videos onto the course platform."
    )
    parser.add_argument("--version", action="version", version=f"reeldrop {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    named = COMMAND_MODULES.get(command or "")
    modules = [named] if named else list(dict.fromkeys(COMMAND_MODULES.values()))
    for module in modules:
        importlib.import_module(module).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return dispatch(argv)[0]


def dispatch(argv: Sequence[str] | None) -> tuple[int, bool]:
    """Run the command; returns its exit code and whether it only talked to the daemon
    (see ``run``)."""
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(words[0] if words else None)
    args = parser.parse_args(words)
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
        from shared.leave import leave_at_once

        leave_at_once(code)
    raise SystemExit(code)
