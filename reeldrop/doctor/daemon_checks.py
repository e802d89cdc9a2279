"""Checks that ask the running daemon and the server it signs in to."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from reeldrop.doctor.verdicts import CheckResult
from shared.control.client import ControlClient, DaemonNotRunning
from shared.control.schemas import AccountView, JobView

LOGIN_FIX = "sign in: reeldrop login --server URL --email EMAIL --password-stdin"
STORAGE_ERRORS = {"storage_unavailable", "upload_failed"}
REACHED_STORAGE = {"uploading", "completing", "done"}


@dataclass
class DaemonFacts:
    """What the doctor learned from the daemon (or, when it is down, from its files)."""

    client: ControlClient | None
    account: AccountView | None
    remembered_server: str | None
    remembered_email: str | None
    token_storage: str | None


def connect(config_dir: Path) -> DaemonFacts:
    from daemon.settings import load_settings

    client: ControlClient | None
    try:
        client = ControlClient.from_runtime_dir()
        if not client.ping():
            client = None
    except (DaemonNotRunning, OSError):
        client = None
    account = client.account() if client is not None else None
    remembered = load_settings(config_dir / "settings.json").account
    return DaemonFacts(
        client=client,
        account=account,
        remembered_server=remembered.server_url if remembered else None,
        remembered_email=remembered.email if remembered else None,
        token_storage=(account.token_storage if account else None)
        or (remembered.token_storage if remembered else None),
    )


def check_daemon(facts: DaemonFacts, control_file: Path) -> CheckResult:
    if facts.client is not None:
        return CheckResult("daemon", "ok", f"running (control API {facts.client.base_url})")
    seen = "a stale control file" if control_file.exists() else "no control file"
    return CheckResult(
        "daemon",
        "fail",
        f"not running ({seen} in {control_file.parent})",
        "start it: open ReelDrop, or run `reeldrop daemon`; `reeldrop autostart enable` "
        "starts it at every login",
    )


def check_server(facts: DaemonFacts, server_url: str | None) -> CheckResult:
    url = server_url or (facts.account.server_url if facts.account else None)
    url = url or facts.remembered_server
    if not url:
        return CheckResult("server", "fail", "no server configured", LOGIN_FIX)
    try:
        response = httpx.get(f"{url.rstrip('/')}/healthz", timeout=10)
    except httpx.HTTPError as exc:
        return CheckResult(
            "server",
            "fail",
            f"{url} is unreachable: {type(exc).__name__}: {exc}",
            "check the network and the server URL; if the URL changed, sign in again with "
            "--server NEW_URL",
        )
    try:
        data = response.json().get("data") or {}
    except ValueError:
        data = {}
    if response.status_code != 200 or data.get("status") != "ok":
        return CheckResult(
            "server",
            "fail",
            f"{url} answered HTTP {response.status_code}, not a ReelDrop server in good health",
            "check the server URL; ask the platform's administrator about the server",
        )
    return CheckResult("server", "ok", f"{url} reachable, version {data.get('version', '?')}")


def check_signed_in(facts: DaemonFacts) -> CheckResult:
    account = facts.account
    if account is not None and account.signed_in:
        note = f"; {account.notice}" if account.notice else ""
        return CheckResult(
            "signed-in",
            "ok",
            f"as {account.email} (sign-in kept in {account.token_storage}){note}",
        )
    if account is not None:
        why = account.notice or "not signed in"
        return CheckResult("signed-in", "fail", why, LOGIN_FIX)
    if facts.remembered_email:
        return CheckResult(
            "signed-in",
            "warn",
            f"{facts.remembered_email} is remembered, but the daemon is not running to use it",
            "start the daemon (see the daemon check)",
        )
    return CheckResult("signed-in", "fail", "no account", LOGIN_FIX)


def check_storage_credentials(facts: DaemonFacts) -> CheckResult:
    """What the daemon last saw when it used a scoped B2 key for an upload session."""
    if facts.client is None or facts.account is None or not facts.account.signed_in:
        return CheckResult("b2-credentials", "skip", "needs a running, signed-in daemon")
    jobs = sorted(facts.client.jobs(), key=lambda j: j.updated_at, reverse=True)
    last = next((j for j in jobs if _touched_storage(j)), None)
    if last is None:
        return CheckResult(
            "b2-credentials",
            "skip",
            "no upload has reached storage yet; upload a video to check",
        )
    code, message = _error(last)
    if code in STORAGE_ERRORS:
        return CheckResult(
            "b2-credentials",
            "fail",
            f"the last upload ({last.filename}) could not use its B2 key: {message}",
            "the server's B2 settings (BB_KEY_ID, BB_APPLICATION_KEY, BB_BUCKET_ID) must allow "
            "creating scoped keys for the bucket; ask the platform's administrator, then "
            "`reeldrop retry --all`",
        )
    return CheckResult(
        "b2-credentials",
        "ok",
        f"the last upload ({last.filename}, {last.state}) got a working scoped key",
    )


def _error(job: JobView) -> tuple[str | None, str | None]:
    """(code, message) of a job's error, whether the view nests them or not."""
    error: Any = job.error
    if error is None:
        return None, None
    if isinstance(error, str):
        return getattr(job, "error_code", None), error
    return getattr(error, "code", None), getattr(error, "message", None)


def _touched_storage(job: JobView) -> bool:
    return str(job.state) in REACHED_STORAGE or _error(job)[0] in STORAGE_ERRORS


def watched_folders(facts: DaemonFacts) -> Iterable[tuple[Path, bool]]:
    lister = getattr(facts.client, "watch_list", None)
    if lister is None:
        return []
    folders: list[Any] = list(lister())
    found = []
    for folder in folders:
        get = folder.get if isinstance(folder, dict) else lambda k, f=folder: getattr(f, k, None)
        found.append((Path(str(get("path"))), bool(get("recursive"))))
    return found
