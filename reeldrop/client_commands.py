"""``reeldrop login|logout|upload|status|pause|resume|cancel|retry|settings``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from shared.control.client import ControlClient, ControlError, DaemonUnavailable
from shared.control.schemas import SUCCESS_STATES, TERMINAL_STATES


def _client() -> ControlClient:
    return ControlClient.from_runtime_dir()


def login(args: argparse.Namespace) -> int:
    from reeldrop.daemon_process import ensure_daemon

    if not args.password_stdin:
        print(
            "reeldrop login: give the password on standard input with --password-stdin",
            file=sys.stderr,
        )
        return 2
    password = sys.stdin.readline().rstrip("\r\n")
    account = ensure_daemon().login(args.server, args.email, password, args.insecure_storage)
    print(
        f"Signed in to {account.server_url} as {account.email} "
        f"(sign-in kept in: {account.token_storage})."
    )
    if account.notice:
        print(account.notice)
    return 0


def logout(_args: argparse.Namespace) -> int:
    _client().logout()
    print("Signed out; the sign-in was revoked on the server.")
    return 0


def upload(args: argparse.Namespace) -> int:
    from reeldrop.daemon_process import ensure_daemon

    client = ensure_daemon()  # "Open with ReelDrop" may be the first thing a user does
    paths = [str(Path(p).expanduser().resolve()) for p in args.files]
    jobs = client.add(paths, args.course)
    if not jobs:
        print("no video files found in what was given", file=sys.stderr)
        return 1
    for job in jobs:
        print(f"{job.id}  {job.path}")
    if not args.wait:
        return 0
    ids = {job.id for job in jobs}
    final = _wait_for(client, ids)
    failures = [j for j in final if j.state not in SUCCESS_STATES]
    for job in failures:
        print(
            f"{job.path}: {job.state}: {job.error.message if job.error else 'no reason given'}",
            file=sys.stderr,
        )
    return 1 if failures else 0


def _wait_for(client: ControlClient, ids: set[str]) -> list[Any]:
    for event in client.events():
        if event is None or (event.job is not None and event.job.id in ids):
            current = [j for j in client.jobs() if j.id in ids]
            if all(j.state in TERMINAL_STATES for j in current):
                return current
    return [j for j in client.jobs() if j.id in ids]


def status(args: argparse.Namespace) -> int:
    jobs = _client().jobs()
    if args.json:
        print(json.dumps({"jobs": [j.model_dump(mode="json", by_alias=True) for j in jobs]}))
        return 0
    if not jobs:
        print("No uploads yet.")
    for job in jobs:
        pct = f"{100 * job.bytes_sent / job.total_bytes:5.1f}%" if job.total_bytes else "    -"
        extra = f"  {job.error.message}" if job.error else ""
        print(f"{job.id}  {job.state:<11} {pct}  {job.filename}{extra}")
    return 0


def act(args: argparse.Namespace) -> int:
    if not args.all and not args.job_id:
        print(f"reeldrop {args.command}: name a JOB_ID or use --all", file=sys.stderr)
        return 2
    changed = _client().act(args.command, None if args.all else args.job_id)
    for job in changed:
        print(f"{job.id}  {job.state}  {job.filename}")
    if not changed:
        print(f"nothing to {args.command}")
    return 0


def settings(args: argparse.Namespace) -> int:
    client = _client()
    if args.action == "list":
        for key, value in client.settings().items():
            print(f"{key} = {value}")
    elif args.action == "get":
        values = client.settings()
        if args.key not in values:
            print(
                f"reeldrop settings: unknown setting {args.key!r}; known: {', '.join(values)}",
                file=sys.stderr,
            )
            return 1
        print(values[args.key])
    else:
        client.set_setting(args.key, args.value)
        print(f"{args.key} = {client.settings()[args.key]}")
    return 0


def _guarded(handler: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        try:
            return int(handler(args))
        except DaemonUnavailable as exc:
            print(exc, file=sys.stderr)
            return 3
        except ControlError as exc:
            print(f"reeldrop {args.command}: {exc.message}", file=sys.stderr)
            return 1

    return run


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    p = subparsers.add_parser("login", help="sign the daemon in to a ReelDrop server")
    p.add_argument("--server", required=True, help="server URL, e.g. http://127.0.0.1:8750")
    p.add_argument("--email", required=True)
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.add_argument(
        "--insecure-storage",
        action="store_true",
        help="without a keyring, keep the sign-in in a file only you can read",
    )
    p.set_defaults(handler=_guarded(login))

    p = subparsers.add_parser("logout", help="sign out and revoke the sign-in")
    p.set_defaults(handler=_guarded(logout))

    p = subparsers.add_parser("upload", help="upload videos or folders of videos")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--course", help="course id the videos belong to")
    p.add_argument("--wait", action="store_true", help="wait until every file is done")
    p.set_defaults(handler=_guarded(upload))

    p = subparsers.add_parser("status", help="list uploads and their state")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_guarded(status))

    for name in ("pause", "resume", "cancel", "retry"):
        p = subparsers.add_parser(name, help=f"{name} one upload or all")
        p.add_argument("job_id", nargs="?", metavar="JOB_ID")
        p.add_argument("--all", action="store_true")
        p.set_defaults(handler=_guarded(act))

    p = subparsers.add_parser("settings", help="show or change settings")
    actions = p.add_subparsers(dest="action", required=True)
    actions.add_parser("list")
    get = actions.add_parser("get")
    get.add_argument("key")
    put = actions.add_parser("set")
    put.add_argument("key")
    put.add_argument("value")
    p.set_defaults(handler=_guarded(settings))
