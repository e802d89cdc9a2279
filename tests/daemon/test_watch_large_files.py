"""A large video in a watched folder (sent in parts, so the daemon never hashed the whole
file) is still recognised by its content when it is moved: the SHA-1 comes from what the
server's processing measured. Real daemon, real server and store."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.daemon.conftest import SignedIn
from tests.support.api import processed_media, sign_in
from tests.support.b2 import server_part_size
from tests.support.watching import distinct_video, job_for, start_watching, wait_for_file


def test_a_large_video_moved_within_the_watched_tree_is_not_uploaded_again(
    signed_in: SignedIn, long_video: Path, tmp_path: Path
) -> None:
    assert long_video.stat().st_size > 2 * server_part_size(signed_in.server)
    daemon = signed_in.daemon
    folder = tmp_path / "lectures"
    start_watching(daemon, folder)
    recording = folder / "week 3.mp4"
    shutil.copyfile(long_video, recording)
    job = wait_for_file(daemon, recording)
    assert job.state == "done", job.error
    account = sign_in(signed_in.server, signed_in.email)
    assert processed_media(account, str(job.media_file_id))["contentSha1"]

    (folder / "archive").mkdir()
    moved = recording.rename(folder / "archive" / "week 3.mp4")
    sentinel = distinct_video(folder / "after the move.mp4", 1)
    assert wait_for_file(daemon, sentinel).state == "done"
    assert job_for(daemon, moved) is None, "the moved lecture was taken as a new one"
    assert account.get("/api/v1/media/user/media").json()["data"]["total"] == 2
