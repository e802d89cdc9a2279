"""Sign-in: where the refresh token is kept, what the user is told, and sign-out revoking it."""

from __future__ import annotations

import stat
from pathlib import Path

import httpx

from tests.support.api import PASSWORD, add_user
from tests.support.daemon import DaemonProcess, wait_until
from tests.support.live_server import LiveServer, live_server


def test_without_a_keyring_the_user_is_told_and_nothing_is_written(
    stack_server: LiveServer, tmp_path: Path
) -> None:
    email = add_user(stack_server)
    daemon = DaemonProcess(tmp_path / "home").start()
    try:
        result = daemon.cli(
            "login",
            "--server",
            stack_server.url,
            "--email",
            email,
            "--password-stdin",
            stdin=PASSWORD + "\n",
        )
        assert result.returncode == 0, result.stderr
        assert "No usable keyring backend" in result.stdout
        assert "--insecure-storage" in result.stdout
        files = [p for p in (tmp_path / "home").rglob("*") if p.is_file()]
        for path in files:
            if path.suffix in (".sqlite", ".sqlite-wal", ".sqlite-shm", ".jpg"):
                continue
            assert PASSWORD not in path.read_text(errors="ignore")
        assert not (tmp_path / "home" / "data" / "refresh-token").exists()
    finally:
        daemon.stop()


def test_insecure_storage_keeps_the_token_in_a_private_file_and_survives_restart(
    stack_server: LiveServer, tmp_path: Path
) -> None:
    email = add_user(stack_server)
    daemon = DaemonProcess(tmp_path / "home").start()
    try:
        daemon.login(stack_server.url, email, PASSWORD, "--insecure-storage")
        token_file = tmp_path / "home" / "data" / "refresh-token"
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        settings = (tmp_path / "home" / "config" / "settings.json").read_text()
        assert token_file.read_text() not in settings
        daemon.stop()
        daemon.start()
        assert daemon.client().account().signed_in
    finally:
        daemon.stop()


def test_keyring_backend_holds_the_token_and_logout_revokes_it(
    stack_server: LiveServer, tmp_path: Path
) -> None:
    email = add_user(stack_server)
    env = {
        "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
    }
    daemon = DaemonProcess(tmp_path / "home", env=env).start()
    try:
        result = daemon.cli(
            "login",
            "--server",
            stack_server.url,
            "--email",
            email,
            "--password-stdin",
            stdin=PASSWORD + "\n",
        )
        assert "kept in: keyring" in result.stdout
        import keyring
        from keyrings.alt.file import PlaintextKeyring

        ring = PlaintextKeyring()
        ring.file_path = str(next((tmp_path / "xdg").rglob("keyring_pass.cfg")))
        token = ring.get_password("reeldrop", f"{stack_server.url}|{email}")
        assert token, "the refresh token is in the keyring"
        assert keyring  # imported for its backends
        assert daemon.cli("logout").returncode == 0
        refused = httpx.post(
            f"{stack_server.url}/api/v1/auth/refresh", json={"refreshToken": token}
        )
        assert refused.status_code == 401, "sign-out revoked the token on the server"
        assert not daemon.client().account().signed_in
    finally:
        daemon.stop()


def test_a_lost_sign_in_is_said_first_and_queued_uploads_wait_visibly(
    stack_server: LiveServer, tmp_path: Path, videos: dict[str, Path]
) -> None:
    email = add_user(stack_server)
    daemon = DaemonProcess(tmp_path / "home").start()
    try:
        daemon.login(stack_server.url, email, PASSWORD)  # no keyring: memory only
        daemon.stop()
        daemon.start()
        status = daemon.cli("status")
        assert status.stdout.splitlines()[0].startswith("signed out: sign in to continue")
        assert "--insecure-storage" in status.stdout.splitlines()[0]
        account = daemon.client().account()
        assert (account.signed_in, account.state) == (False, "signed_out")
        (job,) = daemon.client().add([str(videos["mp4"])])
        waiting = daemon.wait_for_job(job.id, {"queued"}, timeout=60)
        wait_until(lambda: daemon.job(job.id).error is not None, 60, "the waiting job says nothing")
        waiting = daemon.job(job.id)
        assert waiting.error is not None and "sign in to continue" in waiting.error.message
        daemon.login(stack_server.url, email, PASSWORD)
        done = daemon.wait_for_job(job.id)
        assert done.state == "done" and done.error is None, done.error
    finally:
        daemon.stop()


def test_logout_revokes_and_deletes_a_refresh_token_file_left_by_an_earlier_sign_in(
    stack_server: LiveServer, tmp_path: Path
) -> None:
    email = add_user(stack_server)
    daemon = DaemonProcess(tmp_path / "home").start()
    try:
        daemon.login(stack_server.url, email, PASSWORD, "--insecure-storage")
        token_file = tmp_path / "home" / "data" / "refresh-token"
        leftover = token_file.read_text()
        daemon.login(stack_server.url, email, PASSWORD)  # now kept in memory only
        assert daemon.cli("logout").returncode == 0
        assert not token_file.exists()
        refused = httpx.post(
            f"{stack_server.url}/api/v1/auth/refresh", json={"refreshToken": leftover}
        )
        assert refused.status_code == 401, "the leftover token no longer refreshes"
    finally:
        daemon.stop()


def test_logout_says_whether_the_server_revoked_the_sign_in(tmp_path: Path) -> None:
    """With the server down the sign-in ends here but is not revoked there: ``logout``
    says so instead of claiming a revocation that never happened."""
    daemon = DaemonProcess(tmp_path / "home")
    data = tmp_path / "server"
    try:
        with live_server(data, run_background=True) as server:
            port = int(server.url.rsplit(":", 1)[1])
            email = add_user(server)
            daemon.start()
            daemon.login(server.url, email, PASSWORD, "--insecure-storage")
            kept = (tmp_path / "home" / "data" / "refresh-token").read_text().strip()
        offline = daemon.cli("logout")
        assert offline.returncode == 0, offline.stderr
        assert "revoked on the server" not in offline.stdout
        assert "could not be reached" in offline.stdout, offline.stdout
        assert "Already signed out" in daemon.cli("logout").stdout
        with live_server(data, port=port, run_background=True) as again:
            still = httpx.post(f"{again.url}/api/v1/auth/refresh", json={"refreshToken": kept})
            assert still.status_code == 200  # what the old message claimed was revoked
            daemon.login(again.url, email, PASSWORD, "--insecure-storage")
            online = daemon.cli("logout")
            assert online.stdout.startswith("Signed out; the sign-in was revoked on the server.")
    finally:
        daemon.stop()
