"""Watched folders through a real daemon: catch-up, no re-uploads, removal, fallback to
scanning when the OS refuses a watch, folders that go and come back, folder options."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import httpx

from tests.daemon.conftest import SignedIn
from tests.support.api import PASSWORD, add_course, add_user, sign_in
from tests.support.daemon import DaemonProcess, home_dirs, wait_until
from tests.support.live_server import LiveServer
from tests.support.watching import (
    distinct_video,
    job_for,
    jobs_under,
    start_watching,
    wait_for_file,
)


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def media_total(signed_in: SignedIn) -> int:
    account = sign_in(signed_in.server, signed_in.email)
    return int(account.get("/api/v1/media/user/media").json()["data"]["total"])


def folder_states(daemon: DaemonProcess) -> dict[str, dict[str, object]]:
    result = daemon.cli("watch", "list", "--json")
    assert result.returncode == 0, result.stderr
    return {f["path"]: f for f in json.loads(result.stdout)["folders"]}


def test_catch_up_and_no_reupload_after_restart_rename_or_move(
    signed_in: SignedIn, tmp_path: Path
) -> None:
    daemon = signed_in.daemon
    folder = tmp_path / "lectures"
    start_watching(daemon, folder)
    daemon.stop()
    (folder / "week1").mkdir()
    first = distinct_video(folder / "intro.mp4", 1)
    second = distinct_video(folder / "week1" / "talk.mp4", 2)
    daemon.start()  # files that appeared while it was stopped
    for path in (first, second):
        assert wait_for_file(daemon, path).state == "done"

    daemon.stop()
    daemon.start()
    sentinel = distinct_video(folder / "after-restart.mp4", 3)
    assert wait_for_file(daemon, sentinel).state == "done"

    renamed = first.rename(folder / "intro (final).mp4")
    (folder / "archive").mkdir()
    moved = second.rename(folder / "archive" / "talk.mp4")
    sentinel = distinct_video(folder / "after-moves.mp4", 4)
    assert wait_for_file(daemon, sentinel).state == "done"
    assert job_for(daemon, renamed) is None and job_for(daemon, moved) is None

    daemon.stop()  # a rename while stopped is recognised by content too
    again = renamed.rename(folder / "week1" / "intro.mp4")
    daemon.start()
    sentinel = distinct_video(folder / "after-offline-rename.mp4", 5)
    assert wait_for_file(daemon, sentinel).state == "done"
    assert job_for(daemon, again) is None
    assert len(jobs_under(daemon, folder)) == 5
    assert media_total(signed_in) == 5

    distinct_video(tmp_path / "new-content.mp4", 6).replace(again)  # content changed
    changed = wait_for_file(daemon, again)
    assert changed.state == "done", changed.error
    assert media_total(signed_in) == 6


def test_removing_a_watch_stops_new_uploads_and_leaves_running_ones_alone(
    signed_in: SignedIn, videos: dict[str, Path], tmp_path: Path
) -> None:
    daemon = signed_in.daemon
    removed, kept = tmp_path / "removed", tmp_path / "kept"
    start_watching(daemon, removed)
    start_watching(daemon, kept)
    assert daemon.cli("settings", "set", "bandwidth-limit", "100KB/s").returncode == 0
    running = removed / "long.mp4"
    running.write_bytes(videos["large"].read_bytes())
    wait_for_file(daemon, running, {"uploading"})
    result = daemon.cli("watch", "remove", str(removed))
    assert result.returncode == 0, result.stderr
    assert str(removed) not in folder_states(daemon)
    assert daemon.cli("settings", "set", "bandwidth-limit", "0").returncode == 0
    late = distinct_video(removed / "late.mp4", 1)
    sentinel = distinct_video(kept / "sentinel.mp4", 2)
    assert wait_for_file(daemon, sentinel).state == "done"
    assert wait_for_file(daemon, running).state == "done"
    assert job_for(daemon, late) is None
    assert daemon.cli("watch", "remove", str(removed)).returncode == 1


def test_a_refused_watch_falls_back_to_scanning_that_folder_alone(
    stack_server: LiveServer, tmp_path: Path
) -> None:
    email = add_user(stack_server)
    refusals = tmp_path / "refused-names"
    refusals.write_text("refused\n")
    daemon = DaemonProcess(
        tmp_path / "home", env={"REELDROP_TEST_REFUSE_WATCH_FILE": str(refusals)}
    ).start()
    try:
        daemon.login(stack_server.url, email, PASSWORD)
        refused, native = tmp_path / "refused", tmp_path / "native"
        start_watching(daemon, refused)
        start_watching(daemon, native)
        states = folder_states(daemon)
        assert states[str(refused)]["state"] == "polling"
        error = str(states[str(refused)]["error"])
        assert "ENOSPC" in error and "fs.inotify.max_user_watches" in error
        assert states[str(native)]["state"] == "watching"
        assert states[str(native)]["error"] is None
        polled = distinct_video(refused / "polled.mp4", 1)
        watched = distinct_video(native / "watched.mp4", 2)
        assert wait_for_file(daemon, polled).state == "done"
        assert wait_for_file(daemon, watched).state == "done"

        refusals.write_text("")  # the limit is raised: the folder goes back to native events
        wait_until(
            lambda: folder_states(daemon)[str(refused)]["state"] == "watching",
            60,
            "the folder stayed on polling after the OS allowed a watch",
        )
        assert folder_states(daemon)[str(refused)]["error"] is None
        after = distinct_video(refused / "after.mp4", 3)
        assert wait_for_file(daemon, after).state == "done"
    finally:
        daemon.stop()


def test_folder_options_course_move_after_upload_and_a_folder_that_comes_back(
    signed_in: SignedIn, tmp_path: Path
) -> None:
    daemon = signed_in.daemon
    account = sign_in(signed_in.server, signed_in.email)
    course_id, _ = add_course(signed_in.server, account)
    folder = tmp_path / "course"
    start_watching(
        daemon, folder, "--course", course_id, "--after-upload", "move", "--no-recursive"
    )
    listed = folder_states(daemon)[str(folder)]
    assert {k: listed[k] for k in ("courseId", "recursive", "afterUpload")} == {
        "courseId": course_id,
        "recursive": False,
        "afterUpload": "move",
    }
    assert set(listed) >= {"path", "courseId", "recursive", "afterUpload", "state", "error"}

    (folder / "nested").mkdir()
    skipped = distinct_video(folder / "nested" / "skipped.mp4", 1)
    lecture = distinct_video(folder / "lecture.mp4", 2)
    data = lecture.read_bytes()
    job = wait_for_file(daemon, lecture)
    assert job.state == "done" and job.course_id == course_id
    assert (job.source, job.watch_folder) == ("watch", str(folder))
    media = account.get(f"/api/v1/media/media/{job.media_file_id}").json()["data"]
    assert media["courseId"] == course_id
    uploaded = folder / "Uploaded" / "lecture.mp4"
    wait_until(uploaded.exists, 60, "the uploaded file was not moved to Uploaded/")
    assert uploaded.read_bytes() == data and not lecture.exists()
    assert mode_of(folder / "Uploaded") == mode_of(folder)  # the user's tree, the user's mode
    assert job_for(daemon, skipped) is None

    away = folder.rename(tmp_path / "unplugged")
    wait_until(
        lambda: folder_states(daemon)[str(folder)]["state"] == "missing", 60, "not shown missing"
    )
    assert "not found" in str(folder_states(daemon)[str(folder)]["error"])
    away.rename(folder)
    wait_until(
        lambda: folder_states(daemon)[str(folder)]["state"] == "watching", 60, "did not resume"
    )
    later = distinct_video(folder / "after-return.mp4", 3)
    assert wait_for_file(daemon, later).state == "done"
    assert len(jobs_under(daemon, folder)) == 2, "nothing in Uploaded/ was taken again"


def test_switching_a_folder_to_move_moves_what_it_already_uploaded(
    signed_in: SignedIn, tmp_path: Path
) -> None:
    daemon = signed_in.daemon
    folder = tmp_path / "lectures"
    start_watching(daemon, folder)
    (folder / "week1").mkdir()
    lecture = distinct_video(folder / "week1" / "lecture.mp4", 1)
    assert wait_for_file(daemon, lecture).state == "done"
    assert lecture.exists(), "keep leaves the file"
    result = daemon.cli("watch", "add", str(folder), "--after-upload", "move")
    assert result.returncode == 0, result.stderr
    moved = folder / "Uploaded" / "week1" / "lecture.mp4"
    wait_until(moved.exists, 60, "the file uploaded before the switch was not moved")
    assert not lecture.exists() and len(jobs_under(daemon, folder)) == 1


def test_bad_watch_requests_get_clear_errors(signed_in: SignedIn, tmp_path: Path) -> None:
    daemon = signed_in.daemon
    result = daemon.cli("watch", "add", str(tmp_path / "nowhere"))
    assert result.returncode == 1 and "does not exist" in result.stderr
    a_file = tmp_path / "file.mp4"
    a_file.write_bytes(b"x")
    result = daemon.cli("watch", "add", str(a_file))
    assert result.returncode == 1 and "is not a folder" in result.stderr
    result = daemon.cli("watch", "remove", str(tmp_path))
    assert result.returncode == 1 and "not a watched folder" in result.stderr
    result = daemon.cli("settings", "set", "quiet-seconds", "soon")
    assert result.returncode == 1 and "quiet-seconds" in result.stderr
    result = daemon.cli("watch", "add", str(tmp_path), "--after-upload", "trash")
    assert result.returncode == 2 and "keep" in result.stderr
    result = daemon.cli("watch", "list", "--json")
    assert json.loads(result.stdout) == {"folders": []}

    client = daemon.client()
    control = json.loads((home_dirs(daemon.home).runtime / "control.json").read_text())
    http = httpx.Client(
        base_url=client.base_url, headers={"Authorization": f"Bearer {control['token']}"}
    )
    answer = http.post("/v1/watch", content=b"not json")
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "bad_request"
    answer = http.post("/v1/watch", json={"path": str(tmp_path), "afterUpload": "trash"})
    assert answer.status_code == 422 and "afterUpload" in answer.json()["error"]["message"]
    answer = http.post("/v1/watch", content=b"x" * (65 * 1024))
    assert answer.status_code == 413
    client.watch_add(str(tmp_path))
    answer = http.request("DELETE", "/v1/watch", json={"path": str(tmp_path)})
    assert answer.status_code == 200, answer.text
    assert client.watch_list() == []
    answer = http.request("DELETE", "/v1/watch")
    assert answer.status_code == 422 and "path" in answer.json()["error"]["message"]


def test_watching_for_a_course_the_user_does_not_teach_is_refused(
    signed_in: SignedIn, tmp_path: Path
) -> None:
    """As ``upload --course`` does: refused at once with the reason, nothing is watched, and
    a folder already watched keeps the course it had."""
    daemon = signed_in.daemon
    other = sign_in(signed_in.server, add_user(signed_in.server))
    others_course, _ = add_course(signed_in.server, other)
    folder = tmp_path / "recordings"
    folder.mkdir()
    for course in ("no-such-course", others_course):
        result = daemon.cli("watch", "add", str(folder), "--course", course)
        assert result.returncode == 1, result.stdout
        assert "is not one of your courses" in result.stderr
        assert str(folder) not in folder_states(daemon)

    mine, _ = add_course(signed_in.server, sign_in(signed_in.server, signed_in.email))
    start_watching(daemon, folder, "--course", mine)
    result = daemon.cli("watch", "add", str(folder), "--course", others_course)
    assert result.returncode == 1 and "is not one of your courses" in result.stderr
    assert folder_states(daemon)[str(folder)]["courseId"] == mine
