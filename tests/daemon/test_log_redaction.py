"""Secrets never reach the real daemon's log file, whatever carries them there."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.daemon.conftest import SignedIn
from tests.support.daemon import home_dirs, wait_until

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ2aWN0aW0ifQ.c2lnbmF0dXJlLXNlY3JldA"
SECRET = "s3cretVALUE987"


def test_a_secret_in_a_logged_path_is_redacted_in_daemon_log(
    signed_in: SignedIn, tmp_path: Path
) -> None:
    """The daemon logs a watched folder's path when it disappears; this one's name carries
    a JWT and an access token, and neither may be written to ``daemon.log``."""
    daemon = signed_in.daemon
    folder = tmp_path / f"course {JWT} access_token={SECRET}"
    folder.mkdir()
    daemon.client().watch_add(str(folder))
    shutil.rmtree(folder)
    log_file = home_dirs(daemon.home).logs / "daemon.log"
    wait_until(
        lambda: log_file.exists() and "is gone" in log_file.read_text(encoding="utf-8"),
        120,
        "the daemon never logged the folder's disappearance",
    )
    written = log_file.read_text(encoding="utf-8")
    assert JWT not in written and SECRET not in written
    assert "[redacted" in written
