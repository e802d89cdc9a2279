"""``reeldrop autostart enable|disable|status`` (start ReelDrop at login, or not) and
``reeldrop desktop-entry install|remove`` (the applications menu and "Open with ReelDrop")."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def run(args: argparse.Namespace) -> int:
    from shared import autostart

    try:
        if args.action == "enable":
            where = autostart.enable()
            print(f"ReelDrop starts at login ({where}).")
        elif args.action == "disable":
            autostart.disable()
            print(f"ReelDrop no longer starts at login ({autostart.location()}).")
        elif autostart.is_enabled():
            print(f"enabled ({autostart.location()})")
        else:
            print("disabled")
    except autostart.AutostartError as exc:
        print(f"reeldrop autostart {args.action}: {exc}", file=sys.stderr)
        return 1
    return 0


def desktop_entry(args: argparse.Namespace) -> int:
    from shared import desktop_entry as entry

    try:
        if args.action == "install":
            written = entry.install()
            print(f"Installed {written[0]} and the ReelDrop icons; videos now offer "
                  "\"Open with ReelDrop\".")
        else:
            entry.remove()
            print("Removed the ReelDrop desktop entry and icons.")
    except OSError as exc:
        print(f"reeldrop desktop-entry {args.action}: {exc}", file=sys.stderr)
        return 1
    return 0


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "autostart", help="start ReelDrop (tray and daemon) at login, or stop doing so"
    )
    parser.add_argument("action", choices=["enable", "disable", "status"])
    parser.set_defaults(handler=run)

    parser = subparsers.add_parser(
        "desktop-entry",
        help="add ReelDrop to the applications menu and to \"Open with\" for videos (Linux)",
    )
    parser.add_argument("action", choices=["install", "remove"])
    parser.set_defaults(handler=desktop_entry)
