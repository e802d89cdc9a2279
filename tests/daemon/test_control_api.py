"""The control API as front ends use it: job views carry what a window shows, finished jobs
can be cleared, the library is reachable through the daemon, and transport failures are
told apart."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from shared.control.client import (
    ControlClient,
    ControlError,
    DaemonNotRunning,
    DaemonUnresponsive,
)
from shared.control.job_line import JobLine
from shared.control.states import JobState
from tests.daemon.conftest import SignedIn
from tests.support.api import add_course, sign_in
from tests.support.daemon import wait_until
from tests.support.ports import free_port


def test_job_view_library_and_clear(
    signed_in: SignedIn, videos: dict[str, Path], tmp_path: Path
) -> None:
    daemon, client = signed_in.daemon, signed_in.daemon.client()
    teacher = sign_in(signed_in.server, signed_in.email)
    course_id, (video_id,) = add_course(signed_in.server, teacher)
    video = shutil.copy(videos["mp4"], tmp_path / "week1.mp4")
    stream = client.another()
    lines: list[JobLine | None] = []
    reader = threading.Thread(target=lambda: lines.extend(stream.job_line_events(60)))
    reader.start()
    wait_until(lambda: lines, 10, "the event stream did not connect")  # its first comment

    (job,) = client.add([str(video)], course_id)
    assert (job.source, job.course_id, job.watch_folder) == ("cli", course_id, None)
    assert [j.id for j in client.add([str(video)], course_id)] == [job.id]  # idempotent
    done = daemon.wait_for_job(job.id)
    assert done.state is JobState.DONE, done.error
    assert done.media_file_id and done.cdn_url and done.thumbnail_path
    assert done.bytes_sent == done.total_bytes > 0 and done.error is None
    # What ``reeldrop upload --wait`` reads: the same job, without the wire schemas.
    (line,) = client.job_lines(only=[job.id])
    assert (line.id, line.state, line.cdn_url, line.error) == (job.id, "done", done.cdn_url, None)
    assert line.bytes_sent == line.total_bytes == done.total_bytes
    assert client.job_lines(only=["another job"]) == []
    asked = client._request("GET", "/v1/jobs", params={"id": [job.id, "another job"]})
    assert [j["id"] for j in asked["jobs"]] == [job.id]  # the daemon sends those alone
    with pytest.raises(ControlError) as too_many:
        client._request("GET", "/v1/jobs", params={"id": [str(n) for n in range(201)]})
    assert "at most 200" in str(too_many.value)
    try:
        wait_until(
            lambda: any(j is not None and j.state == "done" for j in lines), 10, "no end streamed"
        )
    finally:
        stream.close()
        reader.join(timeout=10)
    assert not reader.is_alive(), "the stream read went on after close()"
    states = [j.state for j in lines if j is not None and j.id == job.id]
    assert states[0] == "queued" and states[-1] == "done" and "uploading" in states

    listed = client.media(type="video")
    assert [m["id"] for m in listed["items"]] == [done.media_file_id]
    assert client.media(status="failed")["total"] == 0
    shown = client.media_file(done.media_file_id)
    assert shown["cdnUrl"] == done.cdn_url
    attached = client.attach(done.media_file_id, video_id)
    assert attached["video"]["mediaFileId"] == done.media_file_id
    assert any(c["id"] == course_id for c in client.courses())

    with pytest.raises(ControlError) as refused:
        client.add([str(tmp_path / "week1.mp4")], "no-such-course")
    assert (refused.value.status, refused.value.code) == (422, "unknown_course")

    assert client.clear() == 1
    assert client.jobs() == []
    client.delete_media(done.media_file_id)
    assert client.media()["total"] == 0
    with pytest.raises(ControlError) as missing:
        client.remove_job(job.id)
    assert (missing.value.status, missing.value.code) == (404, "job_not_found")


def test_remove_and_clear_all_and_unknown_settings(
    signed_in: SignedIn, videos: dict[str, Path]
) -> None:
    client = signed_in.daemon.client()
    (rejected,) = client.add([str(videos["tiny"])])
    signed_in.daemon.wait_for_job(rejected.id)
    assert client.clear() == 0  # rejected is not "finished"
    assert client.clear(all=True) == 1
    (job,) = client.add([str(videos["tiny"])])
    client.remove_job(job.id)
    assert client.jobs() == []
    with pytest.raises(ControlError) as bad:
        client.set_setting("no-such-setting", "1")
    assert (bad.value.status, bad.value.code) == (422, "invalid_setting")
    status = client.status()
    assert status.connectivity.server == "ok"
    assert status.account.state == "signed_in"


def test_not_running_and_unresponsive_are_told_apart() -> None:
    port = free_port()
    with pytest.raises(DaemonNotRunning):
        ControlClient(f"http://127.0.0.1:{port}", "token", timeout=2).jobs()

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    accepted: list[socket.socket] = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()[0]))
    thread.start()
    try:
        client = ControlClient(f"http://127.0.0.1:{listener.getsockname()[1]}", "token", timeout=1)
        with pytest.raises(DaemonUnresponsive, match="did not answer in time"):
            client.jobs()
    finally:
        thread.join(timeout=10)
        for conn in accepted:
            conn.close()
        listener.close()


def test_closing_the_client_ends_an_event_stream_that_is_waiting() -> None:
    """The window stops its event thread by closing the client: a read waiting for the
    next event must end then, not at the next heartbeat."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    accepted: list[socket.socket] = []

    def serve() -> None:
        conn = listener.accept()[0]
        accepted.append(conn)
        conn.recv(65536)
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n3\r\n:\n\n\r\n"
        )

    server = threading.Thread(target=serve)
    server.start()
    client = ControlClient(f"http://127.0.0.1:{listener.getsockname()[1]}", "token", timeout=60)
    seen: list[object] = []
    reader = threading.Thread(target=lambda: seen.extend(client.events(timeout=60)))
    try:
        reader.start()
        server.join(timeout=10)
        deadline = time.monotonic() + 10
        while not seen and time.monotonic() < deadline:  # the heartbeat arrived
            time.sleep(0.01)
        assert seen == [None]
        client.close()
        reader.join(timeout=10)
        assert not reader.is_alive(), "the stream read went on after close()"
    finally:
        for conn in accepted:
            conn.close()
        listener.close()
