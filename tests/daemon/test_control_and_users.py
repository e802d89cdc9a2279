"""Two users on one machine stay apart; the control API answers only its owner; jobs can be
paused, resumed, cancelled and retried."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import httpx

from shared.control.schemas import JobError
from tests.daemon.conftest import SignedIn
from tests.support.api import PASSWORD, add_user, sign_in
from tests.support.daemon import DaemonProcess, home_dirs, wait_until
from tests.support.live_server import LiveServer


def test_two_users_on_one_machine_never_see_each_other(
    stack_server: LiveServer, tmp_path: Path, videos: dict[str, Path]
) -> None:
    alice_email, bob_email = add_user(stack_server), add_user(stack_server)
    alice = DaemonProcess(tmp_path / "alice").start()
    bob = DaemonProcess(tmp_path / "bob").start()
    try:
        alice.login(stack_server.url, alice_email, PASSWORD)
        bob.login(stack_server.url, bob_email, PASSWORD)
        assert alice.cli("upload", str(videos["mp4"]), "--wait").returncode == 0
        assert bob.cli("upload", str(videos["webm"]), "--wait").returncode == 0
        alice_jobs = json.loads(alice.cli("status", "--json").stdout)["jobs"]
        bob_jobs = json.loads(bob.cli("status", "--json").stdout)["jobs"]
        assert [Path(j["path"]).name for j in alice_jobs] == ["lecture.mp4"]
        assert [Path(j["path"]).name for j in bob_jobs] == ["lecture.webm"]
        alice_media = sign_in(stack_server, alice_email).get("/api/v1/media/user/media").json()
        assert [m["id"] for m in alice_media["data"]["items"]] == [alice_jobs[0]["mediaFileId"]]
        bob_api = sign_in(stack_server, bob_email)
        other = bob_api.get(f"/api/v1/media/media/{alice_jobs[0]['mediaFileId']}")
        assert other.status_code == 404, "another user's media file answers like a made-up id"
    finally:
        alice.stop()
        bob.stop()


def test_control_api_needs_the_token_and_a_loopback_host(tmp_path: Path) -> None:
    daemon = DaemonProcess(tmp_path / "home").start()
    try:
        control_file = home_dirs(daemon.home).runtime / "control.json"
        assert stat.S_IMODE(control_file.stat().st_mode) == 0o600
        info = json.loads(control_file.read_text())
        url = f"http://127.0.0.1:{info['port']}/v1/status"
        assert httpx.get(url).status_code == 401
        assert httpx.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 401
        good = {"Authorization": f"Bearer {info['token']}"}
        assert httpx.get(url, headers=good).status_code == 200
        rebound = httpx.get(url, headers={**good, "Host": "attacker.example"})
        assert rebound.status_code == 403
    finally:
        daemon.stop()
    assert not control_file.exists(), "a stopped daemon leaves no stale control file"


def test_commands_say_plainly_when_the_daemon_is_not_running(tmp_path: Path) -> None:
    daemon = DaemonProcess(tmp_path / "nobody")
    result = daemon.cli("status")
    assert result.returncode != 0
    assert "daemon is not running" in result.stderr and "reeldrop daemon" in result.stderr


def test_pause_resume_cancel_and_retry(signed_in: SignedIn, tmp_path: Path) -> None:
    from tests.videos import make_video

    big = make_video(tmp_path / "seminar.mp4", seconds=4, size_bytes=8_000_000)
    other = make_video(tmp_path / "workshop.mp4", seconds=4, size_bytes=8_000_000, fps=24)
    daemon = signed_in.daemon
    daemon.cli("settings", "set", "bandwidth-limit", "1MB/s")
    first, second = daemon.client().add([str(big), str(other)])
    wait_until(lambda: daemon.job(first.id).bytes_sent > 0, 60, "no progress")
    assert daemon.cli("pause", first.id).returncode == 0
    paused = daemon.wait_for_job(first.id, {"paused"})
    progress = paused.bytes_sent
    assert daemon.job(first.id).bytes_sent == progress
    assert daemon.cli("cancel", second.id).returncode == 0
    assert daemon.wait_for_job(second.id, {"cancelled"}).error == JobError(
        code="cancelled", message="cancelled"
    )
    daemon.cli("settings", "set", "bandwidth-limit", "0")
    assert daemon.cli("resume", "--all").returncode == 0
    done = daemon.wait_for_job(first.id)
    assert done.state == "done", done.error
    assert daemon.cli("retry", second.id).returncode == 0
    again = daemon.wait_for_job(second.id)
    assert again.state == "done", again.error
    listed = sign_in(signed_in.server, signed_in.email).get("/api/v1/media/user/media").json()
    assert listed["data"]["total"] == 2


def test_bandwidth_limit_applies_to_a_running_upload(signed_in: SignedIn, tmp_path: Path) -> None:
    from tests.videos import make_video

    video = make_video(tmp_path / "limited.mp4", seconds=4, size_bytes=8_000_000)
    daemon = signed_in.daemon
    assert daemon.cli("settings", "set", "bandwidth-limit", "500KB/s").returncode == 0
    (job,) = daemon.client().add([str(video)])
    wait_until(lambda: daemon.job(job.id).bytes_sent > 0, 60, "no progress")
    assert daemon.job(job.id).state == "uploading"
    assert daemon.cli("settings", "set", "bandwidth-limit", "0").returncode == 0
    assert daemon.wait_for_job(job.id, timeout=60).state == "done"
    bad = daemon.cli("settings", "set", "bandwidth-limit", "fast")
    assert bad.returncode == 1 and "is not a rate" in bad.stderr
    assert daemon.cli("settings", "get", "bandwidth-limit").stdout.strip() == "0"
