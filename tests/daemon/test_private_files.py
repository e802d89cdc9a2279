"""Everything the daemon writes is private to its user: the job list (paths, session keys),
settings (server, email), the log and the thumbnails, as well as the sign-in itself."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.support.api import PASSWORD, add_user
from tests.support.daemon import DaemonProcess
from tests.support.live_server import LiveServer


def loose_modes(root: Path) -> dict[str, str]:
    """Paths under ``root`` that a group or other users could read, with their modes."""
    return {
        str(path): oct(stat.S_IMODE(path.stat().st_mode))
        for path in root.rglob("*")
        if stat.S_IMODE(path.stat().st_mode) & 0o077
    }


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_files_and_folders_the_daemon_writes_are_private(
    stack_server: LiveServer, tmp_path: Path, videos: dict[str, Path]
) -> None:
    home = tmp_path / "home"
    for sub in ("config", "data", "logs", "run"):  # made earlier, with the usual umask
        (home / sub).mkdir(parents=True, mode=0o755)
        (home / sub).chmod(0o755)
    previous = os.umask(0o022)
    daemon = DaemonProcess(home)
    try:
        daemon.start()
        daemon.login(stack_server.url, add_user(stack_server), PASSWORD, "--insecure-storage")
        result = daemon.cli("upload", str(videos["mp4"]), "--wait")
        assert result.returncode == 0, result.stdout + result.stderr
        assert daemon.cli("settings", "set", "concurrent-uploads", "3").returncode == 0
    finally:
        daemon.stop()
        os.umask(previous)
    written = {p.name for p in home.rglob("*")}
    assert {"daemon.sqlite", "settings.json", "daemon.log", "refresh-token"} <= written
    assert any(p.suffix == ".jpg" for p in home.rglob("*"))  # a thumbnail was made
    assert loose_modes(home) == {}
