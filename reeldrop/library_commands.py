"""``reeldrop media list|show|delete|attach`` and ``reeldrop courses``: the user's library
on the server, asked through the daemon (which holds the sign-in)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from reeldrop.client_commands import guarded
from reeldrop.progress_view import human_bytes
from shared.control.client import ControlClient

PAGE = 100
MAX_PAGES = 1000


def _client() -> ControlClient:
    return ControlClient.from_runtime_dir()


def media_list(args: argparse.Namespace) -> int:
    client = _client()
    first = client.media(page=1, limit=PAGE, type=args.type, status=args.status)
    items: list[dict[str, Any]] = list(first["items"])
    page = 1
    while len(items) < int(first["total"]) and page < MAX_PAGES:
        page += 1
        more = client.media(page=page, limit=PAGE, type=args.type, status=args.status)["items"]
        if not more:
            break
        items.extend(more)
    if args.json:
        print(json.dumps({**first, "items": items, "page": 1, "limit": len(items) or PAGE}))
        return 0
    if not items:
        print("No media files.")
    for item in items:
        print(
            f"{item['id']}  {item['status']:<10} {item['fileType']:<6} "
            f"{human_bytes(item['fileSize']):>9}  {item['filename']}"
        )
    return 0


def media_show(args: argparse.Namespace) -> int:
    media = _client().media_file(args.media_id)
    if args.json:
        print(json.dumps(media))
        return 0
    size = f"{media.get('width')}x{media.get('height')}" if media.get("width") else "-"
    duration = media.get("durationSeconds")
    rows = [
        ("id", media["id"]),
        ("filename", media["filename"]),
        ("status", media["status"]),
        ("type", media["fileType"]),
        ("size", human_bytes(media["fileSize"])),
        ("resolution", size),
        ("quality", media.get("videoQuality") or "-"),
        ("duration", f"{duration:.1f} s" if duration else "-"),
        ("course", media.get("courseId") or "-"),
        ("playback URL", media.get("cdnUrl") or "-"),
    ]
    if media.get("processingError"):
        rows.append(("processing error", media["processingError"]))
    for label, value in rows:
        print(f"{label + ':':<14}{value}")
    return 0


def media_delete(args: argparse.Namespace) -> int:
    _client().delete_media(args.media_id)
    print(f"Deleted media file {args.media_id}; course videos that showed it were detached.")
    return 0


def media_attach(args: argparse.Namespace) -> int:
    answer = _client().attach(args.media_id, args.video)
    video = answer.get("video", {})
    print(
        f"Attached media file {args.media_id} to video {video.get('id', args.video)} "
        f"({video.get('title', '')}) of course {video.get('courseId', '?')}."
    )
    return 0


def courses(args: argparse.Namespace) -> int:
    found = _client().courses()
    if args.json:
        print(json.dumps({"courses": found}))
        return 0
    if not found:
        print("You teach no courses.")
    for course in found:
        print(f"{course['id']}  {course['title']}")
        for video in course.get("videos", []):
            media = video.get("mediaFileId") or "no media"
            print(f"  {video['id']}  {video['title']}  ({media})")
    return 0


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    p = subparsers.add_parser("media", help="your media files on the server")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="list your media files")
    listing.add_argument("--json", action="store_true")
    listing.add_argument("--type", help="only this file type, e.g. video")
    listing.add_argument(
        "--status", choices=("pending", "processing", "ready", "failed"), help="only this status"
    )
    listing.set_defaults(handler=guarded(media_list))
    show = actions.add_parser("show", help="one media file, with its playback URL")
    show.add_argument("media_id", metavar="ID")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=guarded(media_show))
    delete = actions.add_parser("delete", help="delete a media file (and detach it)")
    delete.add_argument("media_id", metavar="ID")
    delete.set_defaults(handler=guarded(media_delete))
    attach = actions.add_parser("attach", help="attach a media file to a course video")
    attach.add_argument("media_id", metavar="ID")
    attach.add_argument("--video", required=True, metavar="VIDEO_ID")
    attach.set_defaults(handler=guarded(media_attach))

    p = subparsers.add_parser("courses", help="the courses you teach and their videos")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=guarded(courses))
