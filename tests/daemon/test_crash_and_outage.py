"""Nothing is lost and nothing is sent twice: kill -9 mid-upload, and a server outage while
the upload finishes."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from b2sdk.v2 import B2Api

from daemon.transfer.b2_session import PART_WORKERS
from server.b2store.bootstrap import storage_info
from shared.control.states import TERMINAL_STATES
from tests.support.api import PASSWORD, add_user, sign_in
from tests.support.b2 import bytes_received, master_api, server_part_size
from tests.support.daemon import DaemonProcess, wait_until
from tests.support.live_server import LiveServer, live_server

MIB = 1 << 20


def master(server: LiveServer) -> B2Api:
    return master_api(server)


def received(server: LiveServer, api: B2Api, large_file_id: str) -> int:
    return bytes_received(server, api, large_file_id)


def settled(read: Any) -> int:
    """A counter once it stops moving (bytes a killed client had already sent still land)."""
    last = read()
    while True:
        time.sleep(0.5)
        now = read()
        if now == last:
            return int(now)
        last = now


def test_kill9_mid_upload_resumes_the_same_large_file(
    stack_server: LiveServer, tmp_path: Path, long_video: Path
) -> None:
    email = add_user(stack_server)
    api = master(stack_server)
    bucket = api.get_bucket_by_name("reeldrop-media")
    daemon = DaemonProcess(tmp_path / "home").start()
    try:
        daemon.login(stack_server.url, email, PASSWORD, "--insecure-storage")
        assert daemon.cli("settings", "set", "bandwidth-limit", "4MB/s").returncode == 0
        (job,) = daemon.client().add([str(long_video)])
        part = server_part_size(stack_server)
        user_prefix = f"videos/{sign_in(stack_server, email).user_id}/"

        def unfinished_ids() -> list[str]:
            return [f.file_id for f in bucket.list_unfinished_large_files(prefix=user_prefix)]

        wait_until(unfinished_ids, 60, "the large file was never started")
        (large_id,) = unfinished_ids()
        wait_until(lambda: len(list(bucket.list_parts(large_id))) >= 2, 60, "no part stored")
        daemon.kill9()
        before_restart = settled(lambda: received(stack_server, api, large_id))
        stored = {p.part_number: p.content_length for p in bucket.list_parts(large_id)}
        kept = sum(stored.values())
        assert kept >= MIB, "some parts were stored before the crash"
        in_flight = [
            n
            for n in range(1, 14)
            if n not in stored and received(stack_server, api, f"{large_id}#{n}") > 0
        ]

        daemon.start()
        seen = [daemon.job(job.id).bytes_sent]
        wait_until(
            lambda: (
                seen.append(daemon.job(job.id).bytes_sent)
                or daemon.job(job.id).state in TERMINAL_STATES
            ),
            120,
            "the resumed upload never finished",
        )
        done = daemon.job(job.id)
        assert done.state == "done", done.error
        assert seen == sorted(seen), "bytesSent never goes backwards"
        assert all(b >= kept for b in seen if b > seen[0]), "stored parts count as sent"
        size = long_video.stat().st_size
        after_restart = received(stack_server, api, large_id) - before_restart
        assert after_restart == size - kept, "after the restart only the missing parts were sent"
        resent = before_restart + after_restart - size
        assert 0 < resent <= len(in_flight) * part, "at most the parts in flight were sent twice"
        assert len(in_flight) <= PART_WORKERS, f"{len(in_flight)} parts were in flight at once"
        for number in stored:
            assert received(stack_server, api, f"{large_id}#{number}") == stored[number], (
                f"part {number}, stored before the crash, was sent again"
            )
        account = sign_in(stack_server, email)
        media = account.get(f"/api/v1/media/media/{done.media_file_id}").json()["data"]
        stored = bucket.get_file_info_by_name(media["storageKey"])
        assert stored.id_ == large_id, "the interrupted large file was continued"
        assert httpx.get(media["cdnUrl"]).content == long_video.read_bytes()
        assert not list(bucket.list_unfinished_large_files(prefix=user_prefix))
    finally:
        daemon.stop()


def test_a_crash_right_after_the_large_file_is_finished_sends_nothing_again(
    stack_server: LiveServer, tmp_path: Path, long_video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The daemon dies the instant the store has finished its large file, before it hears
    the answer or records anything. After a restart the finished file is recognised: the
    job completes with it, no byte is sent again and nothing is stored twice."""
    from server.b2store import http_routes

    email = add_user(stack_server)
    api = master(stack_server)
    bucket = api.get_bucket_by_name("reeldrop-media")
    daemon = DaemonProcess(tmp_path / "home").start()
    user_prefix = f"videos/{sign_in(stack_server, email).user_id}/"
    finish = http_routes.OPERATIONS["b2_finish_large_file"]
    finished: list[str] = []

    def finish_then_kill_the_daemon(ctx: Any, token: str | None, body: Any) -> Any:
        answer = finish(ctx, token, body)
        if str(answer.get("fileName", "")).startswith(user_prefix):
            finished.append(str(answer["fileId"]))
            daemon.kill9()  # the answer never reaches the daemon
        return answer

    monkeypatch.setitem(http_routes.OPERATIONS, "b2_finish_large_file", finish_then_kill_the_daemon)
    try:
        daemon.login(stack_server.url, email, PASSWORD, "--insecure-storage")
        (job,) = daemon.client().add([str(long_video)])
        assert daemon.proc is not None
        daemon.proc.wait(timeout=180)
        (large_id,) = finished
        sent_before = settled(lambda: received(stack_server, api, large_id))
        monkeypatch.setitem(http_routes.OPERATIONS, "b2_finish_large_file", finish)

        daemon.start()
        done = daemon.wait_for_job(job.id, timeout=180)
        assert done.state == "done", done.error
        assert done.bytes_sent == long_video.stat().st_size
        assert received(stack_server, api, large_id) == sent_before, "no byte was sent again"
        media = sign_in(stack_server, email).get(f"/api/v1/media/media/{done.media_file_id}")
        key = media.json()["data"]["storageKey"]
        versions = [v.id_ for v in bucket.list_file_versions(key)]
        assert versions == [large_id], "the finished large file was used, nothing stored twice"
        assert not list(bucket.list_unfinished_large_files(prefix=user_prefix))
        assert httpx.get(media.json()["data"]["cdnUrl"]).content == long_video.read_bytes()
    finally:
        daemon.stop()


def test_server_down_while_the_upload_finishes_waits_then_completes_once(
    tmp_path: Path, videos: dict[str, Path], long_video: Path
) -> None:
    """The store stays up; the API server is down when the daemon wants to call complete."""
    daemon = DaemonProcess(tmp_path / "home")
    try:
        with live_server(tmp_path / "store") as store:
            info = storage_info(store.data_dir, store.url)
            bucket_id = master(store).get_bucket_by_name(info["bucketName"]).id_
            api_env = {
                "BB_KEY_ID": info["keyId"],
                "BB_APPLICATION_KEY": info["applicationKey"],
                "BB_BUCKET_ID": bucket_id,
                "BB_ENDPOINT": store.url,
            }
            api_dir = tmp_path / "api"
            with live_server(api_dir, env=api_env, run_background=True) as api_server:
                port = int(api_server.url.rsplit(":", 1)[1])
                email = add_user(api_server)
                daemon.start()
                daemon.login(api_server.url, email, PASSWORD, "--insecure-storage")
                daemon.cli("settings", "set", "bandwidth-limit", "3MB/s")
                (job,) = daemon.client().add([str(long_video)])
                daemon.wait_for_job(job.id, {"uploading"}, timeout=60)
            waiting = daemon.wait_for_job(job.id, {"completing", "done", "failed"}, timeout=60)
            assert waiting.state == "completing", "with the server down the job must wait"
            with pytest.raises(AssertionError):
                daemon.wait_for_job(job.id, {"done", "failed"}, timeout=3)
            with live_server(api_dir, env=api_env, port=port, run_background=True) as again:
                done = daemon.wait_for_job(job.id, timeout=90)
                assert done.state == "done", done.error
                listed = sign_in(again, email).get("/api/v1/media/user/media").json()["data"]
                assert listed["total"] == 1
                assert listed["items"][0]["id"] == done.media_file_id
    finally:
        daemon.stop()
