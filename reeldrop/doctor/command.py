"""``reeldrop doctor [--json] [--server URL]``: every check, its verdict and its fix.

Exit status 1 when any check fails (warnings and skipped checks do not count), so scripts
and support people can rely on it.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported by the command itself: registering it stays cheap
    from reeldrop.doctor.verdicts import CheckResult

MARKS = {"ok": "OK  ", "warn": "WARN", "fail": "FAIL", "skip": "SKIP"}


def run_checks(server_url: str | None = None) -> list[CheckResult]:
    from daemon.control.server import CONTROL_FILE
    from reeldrop.doctor import daemon_checks as d
    from reeldrop.doctor import system_checks as s
    from reeldrop.doctor.verdicts import guarded
    from shared.app_dirs import app_dirs

    dirs = app_dirs()
    facts = d.connect(dirs.config)
    return [
        guarded("server", lambda: d.check_server(facts, server_url)),
        guarded("signed-in", lambda: d.check_signed_in(facts)),
        guarded("b2-credentials", lambda: d.check_storage_credentials(facts)),
        guarded("ffprobe", s.check_ffprobe),
        guarded("keyring", lambda: s.check_keyring(facts.token_storage)),
        guarded("watched-folders", lambda: s.check_watch_limits(d.watched_folders(facts))),
        guarded("disk-space", lambda: s.check_disk(dirs.data)),
        guarded("daemon", lambda: d.check_daemon(facts, dirs.runtime / CONTROL_FILE)),
    ]


def run(args: argparse.Namespace) -> int:
    results = run_checks(args.server)
    failed = any(r.verdict == "fail" for r in results)
    if args.json:
        print(json.dumps({"ok": not failed, "checks": [r.as_json() for r in results]}, indent=2))
    else:
        width = max(len(r.name) for r in results)
        for r in results:
            print(f"{MARKS[r.verdict]}  {r.name:<{width}}  {r.detail}")
            if r.fix and r.verdict in ("fail", "warn"):
                print(f"      {'':<{width}}  fix: {r.fix}")
        print("\nAll checks passed." if not failed else "\nSome checks failed; see the fixes.")
    sys.stdout.flush()
    return 1 if failed else 0


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "doctor", help="check the daemon, server, sign-in, storage, ffprobe, keyring and disk"
    )
    parser.add_argument("--json", action="store_true", help="machine-readable results")
    parser.add_argument("--server", help="check this server URL instead of the signed-in one")
    parser.set_defaults(handler=run)
