"""Checks of this machine: bundled ffprobe, keyring, watch limits, disk space."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from reeldrop.doctor.verdicts import CheckResult

INOTIFY_WATCHES = Path("/proc/sys/fs/inotify/max_user_watches")
WATCH_FIX = (
    "raise the limit: echo fs.inotify.max_user_watches=524288 | "
    "sudo tee /etc/sysctl.d/60-reeldrop.conf && sudo sysctl --system; "
    "or watch a smaller folder tree (--no-recursive)"
)
LOW_DISK_BYTES = 1 << 30
FULL_DISK_BYTES = 100 << 20


def check_ffprobe() -> CheckResult:
    from shared.media.errors import FfmpegNotFound
    from shared.media.ffmpeg_locator import find_ffprobe

    try:
        path = find_ffprobe()
    except FfmpegNotFound as exc:
        return CheckResult(
            "ffprobe",
            "fail",
            str(exc),
            "reinstall ReelDrop (the bundle ships ffprobe), or set REELDROP_FFMPEG_DIR to a "
            "folder holding ffprobe and ffmpeg",
        )
    try:
        out = subprocess.run(
            [str(path), "-hide_banner", "-version"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return CheckResult(
            "ffprobe",
            "fail",
            f"{path} does not run: {exc}",
            "reinstall ReelDrop; check that the file is executable and not blocked",
        )
    first = (out.stdout or out.stderr).splitlines()[0] if (out.stdout or out.stderr) else ""
    if out.returncode != 0 or not first.startswith("ffprobe version"):
        return CheckResult(
            "ffprobe",
            "fail",
            f"{path} answered {first or 'nothing'!r}",
            "reinstall ReelDrop, or point REELDROP_FFMPEG_DIR at a working ffprobe",
        )
    version = first.split()[2] if len(first.split()) > 2 else "unknown"
    return CheckResult("ffprobe", "ok", f"ffprobe {version} at {path}")


def check_keyring(token_storage: str | None) -> CheckResult:
    import keyring

    from daemon.secrets import keyring_usable

    try:
        backend = keyring.get_keyring()
        name = f"{type(backend).__module__}.{type(backend).__name__}"
    except Exception as exc:
        name = f"unavailable ({exc})"
    if keyring_usable():
        return CheckResult("keyring", "ok", f"usable: {name}")
    fix = (
        "start or unlock your desktop's keyring (GNOME Keyring, KWallet; on a server install "
        "one and run it in the session), then sign in again; or sign in with "
        "--insecure-storage to keep the sign-in in a file only you can read"
    )
    if token_storage == "keyring":
        return CheckResult(
            "keyring",
            "fail",
            f"no usable keyring ({name}), but the sign-in was stored in one",
            fix,
        )
    kept = {"file": "a private file", "memory": "memory only (lost when the daemon stops)"}
    where = kept.get(token_storage or "")
    stored = f"sign-in kept in {where}" if where else "no sign-in stored yet"
    return CheckResult("keyring", "warn", f"no usable keyring ({name}); {stored}", fix)


def count_directories(root: Path, recursive: bool, limit: int) -> int:
    """Directories a watcher of ``root`` needs (stops counting past ``limit``)."""
    if not recursive:
        return 1
    count = 0
    for _dirpath, _dirnames, _files in os.walk(root, followlinks=False):
        count += 1
        if count > limit:
            break
    return count


def check_watch_limits(
    folders: Iterable[tuple[Path, bool]],
    *,
    platform: str | None = None,
    limit_file: Path = INOTIFY_WATCHES,
) -> CheckResult:
    folders = list(folders)
    if not folders:
        return CheckResult("watched-folders", "skip", "no watched folders")
    if not (platform or sys.platform).startswith("linux"):
        return CheckResult(
            "watched-folders",
            "ok",
            f"{len(folders)} folder(s); this OS has no per-user watch limit",
        )
    try:
        limit = int(limit_file.read_text().strip())
    except (OSError, ValueError):
        return CheckResult(
            "watched-folders",
            "warn",
            f"cannot read {limit_file}; the limit is unknown",
            WATCH_FIX,
        )
    needed = 0
    missing = []
    for path, recursive in folders:
        if not path.is_dir():
            missing.append(str(path))
            continue
        needed += count_directories(path, recursive, limit)
    detail = f"{needed} folder(s) to watch; inotify max_user_watches is {limit}"
    if missing:
        return CheckResult(
            "watched-folders",
            "fail",
            f"{detail}; missing: {', '.join(missing)}",
            "reconnect the drive or remove the folder: reeldrop watch remove DIR",
        )
    if needed > limit:
        return CheckResult("watched-folders", "fail", detail + " (over the limit)", WATCH_FIX)
    if needed > limit * 0.8:
        return CheckResult("watched-folders", "warn", detail + " (close to the limit)", WATCH_FIX)
    return CheckResult("watched-folders", "ok", detail)


def check_disk(
    path: Path, *, low: int = LOW_DISK_BYTES, full: int = FULL_DISK_BYTES
) -> CheckResult:
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    usage = shutil.disk_usage(probe)
    free_mib = usage.free / (1 << 20)
    detail = f"{free_mib:,.0f} MiB free where ReelDrop keeps its data ({path})"
    fix = "free some space on that disk (ReelDrop keeps its queue, thumbnails and logs there)"
    if usage.free < full:
        return CheckResult("disk-space", "fail", detail, fix)
    if usage.free < low:
        return CheckResult("disk-space", "warn", detail, fix)
    return CheckResult("disk-space", "ok", detail)
