"""Pause/resume and a server restart mid-upload, measured with the store's byte counters:
the same large file continues, at most the parts in flight are sent again, ``bytesSent``
never goes back, and an unreachable server is shown on the job and the daemon, then
cleared. A daemon stopped while the server hangs ends at once, and loses nothing."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx

from daemon.transfer.b2_session import PART_WORKERS
from shared.control.schemas import JobView
from shared.control.states import TERMINAL_STATES
from tests.support.api import PASSWORD, add_user, sign_in
from tests.support.b2 import bytes_received, master_api, server_part_size
from tests.support.daemon import DaemonProcess, wait_until
from tests.support.live_server import LiveServer, live_server
from tests.videos import settled_copy

MIB = 1 << 20


def unfinished(server: LiveServer, email: str) -> list[str]:
    bucket = master_api(server).get_bucket_by_name("reeldrop-media")
    prefix = f"videos/{sign_in(server, email).user_id}/"
    return [f.file_id for f in bucket.list_unfinished_large_files(prefix=prefix)]


def stored_parts(server: LiveServer, large_id: str) -> dict[int, int]:
    bucket = master_api(server).get_bucket_by_name("reeldrop-media")
    return {p.part_number: p.content_length for p in bucket.list_parts(large_id)}


def upload_until_a_part_is_stored(
    server: LiveServer, daemon: DaemonProcess, video: Path
) -> tuple[str, JobView, str]:
    """A new user's slow upload of ``video``, once the store holds at least one part:
    (email, job, large-file id)."""
    email = add_user(server)
    daemon.start()
    daemon.login(server.url, email, PASSWORD, "--insecure-storage")
    daemon.cli("settings", "set", "bandwidth-limit", "4MB/s")
    (job,) = daemon.client().add([str(video)])
    wait_until(lambda: unfinished(server, email), 60, "no large file")
    (large_id,) = unfinished(server, email)
    wait_until(lambda: stored_parts(server, large_id), 60, "no part stored")
    return email, job, large_id


def follow_bytes(daemon: DaemonProcess, job_id: str, seen: list[int], timeout: float) -> None:
    def ended() -> bool:
        job = daemon.job(job_id)
        seen.append(job.bytes_sent)
        return job.state in TERMINAL_STATES

    wait_until(ended, timeout, f"job {job_id} never ended")


def assert_continued(
    server: LiveServer, email: str, done: JobView, large_id: str, size: int, part: int, kept: int
) -> None:
    """After a restart the same large file was finished: the ``kept`` bytes the store held
    were not sent again, no part travelled more than once after the restart, and the media
    file is that one large file."""
    after = bytes_received(server, master_api(server), large_id)
    assert after <= size - kept, "parts stored before the restart were not re-sent"
    for number in range(1, -(-size // part) + 1):
        length = min(part, size - (number - 1) * part)
        assert bytes_received(server, master_api(server), f"{large_id}#{number}") <= length
    media = sign_in(server, email).get(f"/api/v1/media/media/{done.media_file_id}")
    key = media.json()["data"]["storageKey"]
    assert key
    versions = list(master_api(server).get_bucket_by_name("reeldrop-media").list_file_versions(key))
    assert [v.id_ for v in versions] == [large_id], "stored once, the same large file"


def test_pause_and_resume_resend_at_most_the_parts_in_flight(
    stack_server: LiveServer, tmp_path: Path, long_video: Path
) -> None:
    email = add_user(stack_server)
    daemon = DaemonProcess(tmp_path / "home").start()
    try:
        daemon.login(stack_server.url, email, PASSWORD, "--insecure-storage")
        assert daemon.cli("settings", "set", "bandwidth-limit", "4MB/s").returncode == 0
        (job,) = daemon.client().add([str(long_video)])
        wait_until(lambda: unfinished(stack_server, email), 60, "no large file")
        (large_id,) = unfinished(stack_server, email)
        wait_until(lambda: stored_parts(stack_server, large_id), 60, "no part stored")
        daemon.client().act("pause", job.id)
        paused = daemon.wait_for_job(job.id, {"paused"})
        kept = sum(stored_parts(stack_server, large_id).values())
        assert paused.bytes_sent <= long_video.stat().st_size
        daemon.client().act("resume", job.id)
        seen = [paused.bytes_sent]
        follow_bytes(daemon, job.id, seen, 120)
        done = daemon.job(job.id)
        assert done.state == "done", done.error
        assert seen == sorted(seen), "bytesSent never goes backwards"
        size = long_video.stat().st_size
        total = bytes_received(stack_server, master_api(stack_server), large_id)
        assert total - size <= PART_WORKERS * server_part_size(stack_server)
        assert kept > 0 and done.media_file_id
        log = (tmp_path / "home" / "logs").rglob("*.log")
        text = "".join(p.read_text(errors="ignore") for p in log)
        assert "intercepted an unexpected exception" not in text
        assert "Traceback" not in text, "pausing is normal: no traceback"
    finally:
        daemon.stop()


def test_a_server_restart_mid_upload_is_shown_then_the_same_large_file_continues(
    tmp_path: Path, long_video: Path
) -> None:
    daemon = DaemonProcess(tmp_path / "home")
    data_dir = tmp_path / "server"
    try:
        with live_server(data_dir, run_background=True) as first:
            port = int(first.url.rsplit(":", 1)[1])
            email, job, large_id = upload_until_a_part_is_stored(first, daemon, long_video)
            part = server_part_size(first)

        def told() -> bool:
            status = daemon.client().status()
            job_error = next(j for j in status.jobs if j.id == job.id).error
            return (
                status.connectivity.server == "unreachable"
                and job_error is not None
                and "unreachable, retrying in" in job_error.message
            )

        wait_until(told, 90, "the job and the daemon never said the server is unreachable")
        assert "unreachable, retrying in" in daemon.cli("status").stdout
        with live_server(data_dir, port=port, run_background=True) as again:
            seen: list[int] = []
            follow_bytes(daemon, job.id, seen, 180)
            done = daemon.job(job.id)
            assert done.state == "done", done.error
            assert done.error is None
            assert daemon.client().status().connectivity.server == "ok"
            assert seen == sorted(seen), "bytesSent never goes backwards"
            # At least one whole part was stored before the server stopped; only the
            # parts the store lacked travel after the restart, each once.
            assert_continued(again, email, done, large_id, long_video.stat().st_size, part, part)
    finally:
        daemon.stop()


def test_a_file_overwritten_mid_upload_is_uploaded_again_with_its_new_content(
    stack_server: LiveServer, tmp_path: Path, long_video: Path, videos: dict[str, Path]
) -> None:
    email = add_user(stack_server)
    daemon = DaemonProcess(tmp_path / "home").start()
    path = tmp_path / "recording.mp4"
    path.write_bytes(long_video.read_bytes())
    try:
        daemon.login(stack_server.url, email, PASSWORD, "--insecure-storage")
        assert daemon.cli("settings", "set", "bandwidth-limit", "4MB/s").returncode == 0
        (job,) = daemon.client().add([str(path)])
        wait_until(lambda: daemon.job(job.id).bytes_sent > 0, 60, "the upload never started")
        path.write_bytes(videos["hd"].read_bytes())  # `cp` over the file being sent

        def told() -> bool:
            error = daemon.job(job.id).error
            return error is not None and error.code == "file_changed"

        wait_until(told, 60, "the job never said the file changed")
        message = daemon.job(job.id).error
        assert message is not None
        assert "the file changed while it was being uploaded" in message.message
        done = daemon.wait_for_job(job.id, timeout=120)
        assert done.state == "done", done.error
        assert done.total_bytes == videos["hd"].stat().st_size
        assert done.cdn_url and httpx.get(done.cdn_url).content == videos["hd"].read_bytes()
        listed = sign_in(stack_server, email).get("/api/v1/media/user/media").json()["data"]
        assert listed["total"] == 1
        assert not unfinished(stack_server, email), "the first large file was cancelled"
    finally:
        daemon.stop()


def test_a_whole_stack_restart_mid_upload_continues_the_same_large_file(
    tmp_path: Path, long_video: Path
) -> None:
    """What Ctrl-C and a new ``make run`` do: the daemon is shut down and the server
    stopped mid-upload, then both start again. The same large file continues, the parts the
    store holds are not sent again, and ``bytesSent`` does not start over."""
    daemon = DaemonProcess(tmp_path / "home")
    data_dir = tmp_path / "server"
    try:
        with live_server(data_dir, run_background=True) as first:
            port = int(first.url.rsplit(":", 1)[1])
            email, job, large_id = upload_until_a_part_is_stored(first, daemon, long_video)
            part = server_part_size(first)
            daemon.client().shutdown()  # make run's clean-up, then the server goes down
            assert daemon.proc is not None
            daemon.proc.wait(timeout=60)
            kept = sum(stored_parts(first, large_id).values())
        with live_server(data_dir, port=port, run_background=True) as again:
            daemon.start()
            seen: list[int] = []
            follow_bytes(daemon, job.id, seen, 180)
            done = daemon.job(job.id)
            assert done.state == "done", done.error
            assert seen == sorted(seen), "bytesSent never goes backwards"
            assert seen[0] >= kept, "parts the store held count as sent after the restart"
            assert_continued(again, email, done, large_id, long_video.stat().st_size, part, kept)
    finally:
        daemon.stop()


@contextmanager
def hung_server(port: int) -> Iterator[list[socket.socket]]:
    """Something on the server's port that takes every connection and never answers (a
    server stuck, a network that swallows packets); the connections it holds."""
    held: list[socket.socket] = []
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(16)
    listener.settimeout(0.2)
    closing = threading.Event()

    def take() -> None:
        while not closing.is_set():
            with suppress(OSError):
                held.append(listener.accept()[0])

    taker = threading.Thread(target=take, daemon=True)
    taker.start()
    try:
        yield held
    finally:
        closing.set()
        taker.join()
        listener.close()
        for connection in held:
            connection.close()


def follow_events(daemon: DaemonProcess) -> None:
    """Read the daemon's event stream until it ends."""
    with suppress(Exception):
        for _event in daemon.client().events():
            pass


def test_a_daemon_told_to_stop_while_the_server_hangs_ends_promptly_and_loses_nothing(
    tmp_path: Path, videos: dict[str, Path]
) -> None:
    """Quitting (or logging out) while a request hangs: the daemon is gone in seconds, not
    after the request's 30 s timeout, and the upload goes through after the next start.
    With nothing in flight and a window following its events, it is gone at once."""
    daemon = DaemonProcess(tmp_path / "home")
    data_dir = tmp_path / "server"
    try:
        with live_server(data_dir) as first:
            port = int(first.url.rsplit(":", 1)[1])
            daemon.start()
            daemon.login(first.url, add_user(first), PASSWORD, "--insecure-storage")
        lecture = settled_copy(videos["mp4"], tmp_path / "lecture.mp4")
        with hung_server(port) as held:
            (job,) = daemon.client().add([str(lecture)])
            wait_until(lambda: held, 30, "no request reached the hung server")
            assert daemon.proc is not None
            started = time.monotonic()
            daemon.proc.terminate()
            daemon.proc.wait(timeout=60)
            took = time.monotonic() - started
        assert took < 12, f"the daemon took {took:.1f} s to stop while a request hung"
        with live_server(data_dir, port=port):
            daemon.start()
            done = daemon.wait_for_job(job.id, timeout=120)
            assert done.state == "done", done.error
            following = threading.Thread(target=follow_events, args=(daemon,), daemon=True)
            following.start()  # as the window and `upload --wait` do
            time.sleep(0.5)
            started = time.monotonic()
            daemon.stop()  # nothing in flight: nothing is left behind, the stream ends
            took = time.monotonic() - started
            following.join(timeout=10)
        assert took < 4.5, f"with a window following its events, the daemon took {took:.1f} s"
        logs = "".join(p.read_text() for p in (tmp_path / "home" / "logs").rglob("*.log"))
        left = [line for line in logs.splitlines() if "still waiting for the server" in line]
        assert len(left) == 1 and "stopped with 1 request(s)" in left[0], left
    finally:
        daemon.stop()
