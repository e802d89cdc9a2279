"""``reeldrop login|logout|upload|status|pause|resume|cancel|retry|settings``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from shared.control.client import (
    ControlClient,
    ControlError,
    DaemonNotRunning,
    DaemonUnavailable,
    DaemonUnresponsive,
    job_lines_of,
)
from shared.control.job_line import JobLine
from shared.control.states import SUCCESS_STATES


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
    ended = _client().logout()
    if ended.revoked_on_server:
        print("Signed out; the sign-in was revoked on the server.")
    elif ended.revoked_on_server is None:
        print("Already signed out.")
    else:
        print(
            "Signed out on this computer, but the server could not be reached (or refused), so "
            "the sign-in was not revoked there; it can no longer be used from here and expires "
            "on the server by itself."
        )
    return 0


def _hand_over(paths: list[str], course_id: str | None) -> tuple[ControlClient, dict[str, Any]]:
    """Give the files to the daemon in the command's first request, so probing starts at
    once; only when no daemon answers is one started (and asked again: adding the same
    files twice queues them once). "Open with ReelDrop" may be the first thing a user does.
    (Starting a daemon needs ``subprocess``: imported only when no daemon answered.)"""
    try:
        client = _client()
        return client, client.add_unread(paths, course_id)
    except DaemonNotRunning:
        pass
    except (ControlError, DaemonUnresponsive):
        from reeldrop.daemon_process import connect

        # Whatever answered: if it is the daemon (it knows its token), its refusal stands;
        # otherwise another program has a stale control file's port.
        if connect() is not None:
            raise
    from reeldrop.daemon_process import ensure_daemon

    client = ensure_daemon()
    return client, client.add_unread(paths, course_id)


def upload(args: argparse.Namespace) -> int:
    from reeldrop.progress_view import ProgressDisplay, final_line, follow, watch_for_ends

    paths = [str(Path(p).expanduser().resolve()) for p in args.files]
    client, answer = _hand_over(paths, args.course)
    if args.wait and hasattr(os, "nice"):
        os.nice(10)  # after the hand-over: a daemon this command started keeps its priority
    jobs = job_lines_of(answer)
    if not jobs:
        print("no video files found in what was given", file=sys.stderr)
        return 1
    if not args.wait:
        for job in jobs:
            print(f"{job.id}  {job.path}")
        return 0
    ids = [job.id for job in jobs]
    ends = watch_for_ends(lambda: client.another().job_line_events(3600, only=ids), ids)

    def ours() -> list[JobLine]:
        return client.job_lines(only=ids)

    final = follow(ours, ProgressDisplay(), ends=ends)
    for job in final:
        print(final_line(job))
    return 0 if all(j.state in SUCCESS_STATES for j in final) else 1


def status(args: argparse.Namespace) -> int:
    from reeldrop.progress_view import status_line

    client = _client()
    if args.json:
        print(json.dumps(client.status().model_dump(mode="json", by_alias=True)))
        return 0
    current = client.status()
    if not current.account.signed_in and current.account.notice:
        print(
            f"{current.account.notice} (reeldrop login --server URL --email EMAIL "
            "--password-stdin [--insecure-storage])"
        )
    if current.connectivity.server == "unreachable" and current.connectivity.message:
        print(current.connectivity.message)
    if not current.jobs:
        print("No uploads yet.")
    for job in current.jobs:
        print(status_line(JobLine.from_json(job.model_dump(mode="json", by_alias=True))))
    return 0


def clear(args: argparse.Namespace) -> int:
    removed = _client().clear(all=args.all)
    which = "ended" if args.all else "finished"
    print(f"Removed {removed} {which} upload{'s' if removed != 1 else ''} from the list.")
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


def guarded(handler: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        try:
            return int(handler(args))
        except DaemonUnavailable as exc:
            print(exc, file=sys.stderr)
            return 3
        except ControlError as exc:
            print(f"reeldrop {args.command}: {exc.message}", file=sys.stderr)
            return 1

    run.daemon_client = True  # type: ignore[attr-defined]  # see reeldrop.cli.run
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
    p.set_defaults(handler=guarded(login))

    p = subparsers.add_parser("logout", help="sign out and revoke the sign-in")
    p.set_defaults(handler=guarded(logout))

    p = subparsers.add_parser("upload", help="upload videos or folders of videos")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--course", help="course id the videos belong to")
    p.add_argument("--wait", action="store_true", help="wait until every file is done")
    p.set_defaults(handler=guarded(upload))

    p = subparsers.add_parser("status", help="sign-in, connection and uploads with speed and ETA")
    p.add_argument("--json", action="store_true", help="the daemon's whole status as JSON")
    p.set_defaults(handler=guarded(status))

    p = subparsers.add_parser("clear", help="remove finished uploads from the list")
    p.add_argument("--all", action="store_true", help="also failed, rejected and cancelled uploads")
    p.set_defaults(handler=guarded(clear))

    for name in ("pause", "resume", "cancel", "retry"):
        p = subparsers.add_parser(name, help=f"{name} one upload or all")
        p.add_argument("job_id", nargs="?", metavar="JOB_ID")
        p.add_argument("--all", action="store_true")
        p.set_defaults(handler=guarded(act))

    p = subparsers.add_parser("settings", help="show or change settings")
    actions = p.add_subparsers(dest="action", required=True)
    actions.add_parser("list")
    get = actions.add_parser("get")
    get.add_argument("key")
    put = actions.add_parser("set")
    put.add_argument("key")
    put.add_argument("value")
    p.set_defaults(handler=guarded(settings))
