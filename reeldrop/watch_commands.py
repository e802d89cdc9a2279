"""``reeldrop watch add|list|remove``: folders whose finished videos upload by themselves."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from reeldrop.client_commands import _client, guarded


def _absolute(path: str) -> str:
    return str(Path(path).expanduser().resolve())


def watch(args: argparse.Namespace) -> int:
    client = _client()
    if args.action == "add":
        folder = client.watch_add(
            _absolute(args.dir),
            course_id=args.course,
            recursive=not args.no_recursive,
            after_upload=args.after_upload,
        )
        course = f", course {folder.course_id}" if folder.course_id else ""
        print(f"Watching {folder.path} ({folder.state}{course}).")
        if folder.error:
            print(folder.error)
    elif args.action == "remove":
        client.watch_remove(_absolute(args.dir))
        print(f"No longer watching {_absolute(args.dir)}; uploads already started carry on.")
    else:
        folders = client.watch_list()
        if args.json:
            print(
                json.dumps({"folders": [f.model_dump(mode="json", by_alias=True) for f in folders]})
            )
            return 0
        if not folders:
            print("No watched folders. Add one with `reeldrop watch add DIR`.")
        for f in folders:
            flags = [f.state, "recursive" if f.recursive else "top level only"]
            flags.append(
                "moves uploads to Uploaded/" if f.after_upload == "move" else "keeps files"
            )
            if f.course_id:
                flags.append(f"course {f.course_id}")
            if f.waiting:
                flags.append(f"{f.waiting} waiting for their writer")
            print(f"{f.path}  ({', '.join(flags)})")
            if f.error:
                print(f"    {f.error}")
    return 0


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    p = subparsers.add_parser("watch", help="upload finished videos from folders automatically")
    actions = p.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="watch a folder")
    add.add_argument("dir", metavar="DIR")
    add.add_argument("--course", metavar="ID", help="course id its uploads belong to")
    add.add_argument("--no-recursive", action="store_true", help="ignore subfolders")
    add.add_argument(
        "--after-upload",
        choices=("keep", "move"),
        default="keep",
        help="leave uploaded files, or move them to an Uploaded subfolder",
    )
    listing = actions.add_parser("list", help="list watched folders and their state")
    listing.add_argument("--json", action="store_true")
    remove = actions.add_parser("remove", help="stop watching a folder")
    remove.add_argument("dir", metavar="DIR")
    p.set_defaults(handler=guarded(watch))
