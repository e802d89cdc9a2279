"""``reeldrop server ...``: run the API, migrate, and manage users, courses and videos."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

KEEP_ALIVE_SECONDS = 75
"""Idle connections are kept this long: past what clients reuse them for and past the 60 s
idle timeout of the usual load balancers in front (which want the server to wait longer)."""


def _settings(args: argparse.Namespace) -> Any:
    from server.config import ConfigError, Settings

    try:
        return Settings.from_env(
            data_dir=Path(args.data_dir) if args.data_dir else None,
            host=getattr(args, "host", None),
            port=getattr(args, "port", None),
        )
    except ConfigError as exc:
        print(f"reeldrop server: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _session(settings: Any) -> Any:
    from server.db.engine import make_engine, make_session_factory
    from server.db.migrate import upgrade

    engine = make_engine(settings.database_url)
    upgrade(engine)
    return make_session_factory(engine)()


def _fail(message: str) -> int:
    print(f"reeldrop server: {message}", file=sys.stderr)
    return 1


def serve(args: argparse.Namespace) -> int:
    import logging

    import uvicorn

    from server.app import create_app
    from server.receive_window import WindowedHttpToolsProtocol
    from shared.library_logs import quiet_library_logs

    settings = _settings(args)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    quiet_library_logs()
    app = create_app(settings, run_background=True)
    mode = "embedded B2-compatible store" if settings.embedded_storage else "Backblaze B2"
    print(
        f"ReelDrop media API on {settings.public_url} (storage: {mode}; data: {settings.data_dir})",
        flush=True,
    )
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        http=WindowedHttpToolsProtocol,
        # uvloop where it is installed (not on Windows), else asyncio's own loop: the loop
        # receives every upload's bytes, and uvloop's took 4-11 % off the store's receive
        # time (docs/PERFORMANCE.md, "The store on uvloop, its reads copied once").
        loop="auto",
        log_level="info",
        access_log=False,
        proxy_headers=settings.trusted_proxies is not None,
        forwarded_allow_ips=settings.trusted_proxies or "",
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )
    return 0


def migrate(args: argparse.Namespace) -> int:
    settings = _settings(args)
    _session(settings).close()
    print(f"database is up to date ({settings.database_url.split('://')[0]})")
    return 0


def user_add(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from server.auth.passwords import hash_password
    from server.db.models import User

    if not args.password_stdin:
        return _fail("give the password on standard input with --password-stdin")
    password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < 8:
        return _fail("the password must have at least 8 characters")
    email = args.email.strip().lower()
    if "@" not in email or len(email) > 320:
        return _fail(f"{args.email!r} is not an email address")
    with _session(_settings(args)) as db:
        if db.execute(select(User).where(func.lower(User.email) == email)).first():
            return _fail(f"a user with email {email} already exists")
        user = User(
            email=email,
            password_hash=hash_password(password),
            role=args.role,
            display_name=args.name or email.split("@")[0],
        )
        db.add(user)
        db.commit()
        print(user.id)
    return 0


def course_add(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from server.db.models import Course, User

    with _session(_settings(args)) as db:
        email = args.instructor.strip().lower()
        user = db.execute(select(User).where(func.lower(User.email) == email)).scalar_one_or_none()
        if user is None:
            return _fail(f"no user with email {args.instructor}")
        course = Course(title=args.title, instructors=[user])
        db.add(course)
        db.commit()
        print(course.id)
    return 0


def video_add(args: argparse.Namespace) -> int:
    from server.db.models import Course, Video

    with _session(_settings(args)) as db:
        course = db.get(Course, args.course_id)
        if course is None:
            return _fail(f"no course with id {args.course_id}")
        video = Video(course_id=course.id, title=args.title, position=len(course.videos))
        db.add(video)
        db.commit()
        print(video.id)
    return 0


def storage_info(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if not settings.embedded_storage:
        return _fail("BB_* credentials are set: storage is Backblaze B2, not the embedded store")
    import os

    from server.b2store.bootstrap import storage_info as read_info

    # An explicit URL wins; otherwise the one the server recorded when it started.
    info = read_info(settings.data_dir, args.url or os.environ.get("REELDROP_PUBLIC_URL"))
    if args.json:
        print(json.dumps(info))
    else:
        for name, value in info.items():
            print(f"{name}: {value}")
    return 0


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    server = subparsers.add_parser("server", help="run and manage the media server")
    commands = server.add_subparsers(dest="server_command", metavar="SUBCOMMAND", required=True)

    def command(name: str, handler: Any, help_text: str) -> argparse.ArgumentParser:
        parser = commands.add_parser(name, help=help_text)
        parser.add_argument("--data-dir", help="server data directory (or REELDROP_DATA_DIR)")
        parser.set_defaults(handler=handler)
        return parser

    serve_parser = command("serve", serve, "run the media API (and the embedded store)")
    serve_parser.add_argument("--host", default="127.0.0.1")
    serve_parser.add_argument("--port", type=int, default=8750)
    command("migrate", migrate, "bring the database schema up to date")
    info = command("storage-info", storage_info, "print the embedded store's master key")
    info.add_argument("--json", action="store_true")
    info.add_argument("--url", help="the store's URL (default: the one the server last served)")

    user = commands.add_parser("user", help="manage users")
    user_commands = user.add_subparsers(dest="user_command", required=True)
    add_user = user_commands.add_parser("add", help="add a user")
    add_user.add_argument("email")
    add_user.add_argument(
        "--role", choices=["instructor", "admin", "student"], default="instructor"
    )
    add_user.add_argument("--name", help="display name (default: the email's local part)")
    add_user.add_argument("--password-stdin", action="store_true")
    add_user.add_argument("--data-dir")
    add_user.set_defaults(handler=user_add)

    course = commands.add_parser("course", help="manage courses")
    course_commands = course.add_subparsers(dest="course_command", required=True)
    add_course = course_commands.add_parser("add", help="add a course; prints its id")
    add_course.add_argument("title")
    add_course.add_argument("--instructor", required=True, help="instructor's email")
    add_course.add_argument("--data-dir")
    add_course.set_defaults(handler=course_add)

    video = commands.add_parser("video", help="manage course videos")
    video_commands = video.add_subparsers(dest="video_command", required=True)
    add_video = video_commands.add_parser("add", help="add a video to a course; prints its id")
    add_video.add_argument("course_id")
    add_video.add_argument("title")
    add_video.add_argument("--data-dir")
    add_video.set_defaults(handler=video_add)
