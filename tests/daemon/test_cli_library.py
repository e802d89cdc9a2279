"""The library from the command line, and ``upload --wait`` / ``status`` as a user reads
them: each command in the exact form the README documents."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.daemon.conftest import SignedIn
from tests.support.api import add_course, sign_in


def test_upload_wait_then_the_library_commands(
    signed_in: SignedIn, videos: dict[str, Path], tmp_path: Path
) -> None:
    daemon = signed_in.daemon
    teacher = sign_in(signed_in.server, signed_in.email)
    course_id, (video_id,) = add_course(signed_in.server, teacher)
    good = Path(shutil.copy(videos["mp4"], tmp_path / "week 1.mp4"))
    bad = videos["tiny"]

    waited = daemon.cli("upload", str(good), str(bad), "--course", course_id, "--wait")
    assert waited.returncode == 1, waited.stderr  # one file was rejected
    lines = waited.stdout.strip().splitlines()
    done = next(j for j in daemon.client().jobs() if j.path == str(good.resolve()))
    assert done.cdn_url
    assert lines[-2:] == [
        f"{good.resolve()}: done: {done.cdn_url}",
        f"{bad.resolve()}: rejected: {daemon.client().jobs()[1].error.message}",  # type: ignore[union-attr]
    ]
    assert "\x1b[" not in waited.stdout, "plain lines when the output is not a terminal"
    progress = lines[:-2]
    assert progress and all("week 1.mp4" in line or "tiny.mp4" in line for line in progress)

    listed = json.loads(daemon.cli("media", "list", "--json", "--type", "video").stdout)
    assert [m["id"] for m in listed["items"]] == [done.media_file_id]
    assert listed["total"] == 1
    assert "week 1.mp4" in daemon.cli("media", "list").stdout
    shown = daemon.cli("media", "show", str(done.media_file_id))
    assert f"playback URL: {done.cdn_url}" in shown.stdout
    assert (
        json.loads(daemon.cli("media", "show", str(done.media_file_id), "--json").stdout)["cdnUrl"]
        == done.cdn_url
    )

    attached = daemon.cli("media", "attach", str(done.media_file_id), "--video", video_id)
    assert attached.returncode == 0, attached.stderr
    courses = json.loads(daemon.cli("courses", "--json").stdout)["courses"]
    (video,) = [v for c in courses for v in c["videos"] if v["id"] == video_id]
    assert video["mediaFileId"] == done.media_file_id
    assert video_id in daemon.cli("courses").stdout

    assert daemon.cli("clear").stdout.startswith("Removed 1 finished upload ")
    assert daemon.cli("clear", "--all").stdout.startswith("Removed 1 ended upload ")
    assert "No uploads yet." in daemon.cli("status").stdout

    deleted = daemon.cli("media", "delete", str(done.media_file_id))
    assert deleted.returncode == 0, deleted.stderr
    courses = json.loads(daemon.cli("courses", "--json").stdout)["courses"]
    (video,) = [v for c in courses for v in c["videos"] if v["id"] == video_id]
    assert (video["mediaFileId"], video["videoQuality"]) == (None, None)
    assert json.loads(daemon.cli("media", "list", "--json").stdout)["total"] == 0
    missing = daemon.cli("media", "show", "no-such-id")
    assert missing.returncode == 1 and "reeldrop media" in missing.stderr


def test_a_file_whose_media_was_deleted_can_be_uploaded_again(
    signed_in: SignedIn, videos: dict[str, Path], tmp_path: Path
) -> None:
    """``media delete`` ends the uploads that stood for that media file: ``status`` no
    longer offers its dead playback URL, and uploading the file again really uploads it
    instead of answering "done" with the deleted file's URL."""
    daemon = signed_in.daemon
    lecture = Path(shutil.copy(videos["mp4"], tmp_path / "lecture.mp4"))
    first = daemon.cli("upload", str(lecture), "--wait")
    assert first.returncode == 0, first.stderr
    (old,) = daemon.client().jobs()
    assert old.state == "done" and old.media_file_id and old.cdn_url

    assert daemon.cli("media", "delete", old.media_file_id).returncode == 0
    assert old.cdn_url not in daemon.cli("status", "--json").stdout

    again = daemon.cli("upload", str(lecture), "--wait")
    assert again.returncode == 0, again.stderr
    (new,) = daemon.client().jobs()
    assert new.state == "done" and new.media_file_id not in (None, old.media_file_id)
    assert again.stdout.strip().splitlines()[-1] == f"{lecture.resolve()}: done: {new.cdn_url}"
    teacher = sign_in(signed_in.server, signed_in.email)
    served = teacher.get(f"/api/v1/media/media/{new.media_file_id}").json()["data"]
    assert served["status"] != "deleted" and served["cdnUrl"] == new.cdn_url


def test_an_id_is_never_read_as_a_path_to_another_command(
    signed_in: SignedIn, tmp_path: Path
) -> None:
    """``media delete ../jobs/ID`` must not remove a job (nor ``media show ../status`` dump
    the status through a traceback): ids go to the daemon and the server as one segment."""
    daemon = signed_in.daemon
    notes = tmp_path / "notes.txt"
    notes.write_text("not a video")
    daemon.cli("upload", str(notes), "--wait")
    (job,) = daemon.client().jobs()

    for args in (["delete", f"../jobs/{job.id}"], ["show", "../status"], ["show", "..%2Fstatus"]):
        result = daemon.cli("media", *args)
        assert result.returncode == 1, result.stdout
        assert "Traceback" not in result.stderr and "Deleted" not in result.stdout
        assert result.stderr.startswith("reeldrop media: "), result.stderr
        assert '"detail"' not in result.stderr
    assert [j.id for j in daemon.client().jobs()] == [job.id]
    attach = daemon.cli("media", "attach", "../status", "--video", "v")
    assert attach.returncode == 1 and "Traceback" not in attach.stderr
