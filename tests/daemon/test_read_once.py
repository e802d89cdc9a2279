"""A video is read once: its parts are hashed while they are sent, the whole file's SHA-1
is taken by the server's processing, and a copy of a video already in the library is
still found a duplicate before a byte is sent. Real daemon, real server and store."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from shared.control.schemas import JobView
from tests.daemon.conftest import SignedIn
from tests.support.api import Account, processed_media, sign_in
from tests.support.b2 import bytes_received, master_api, server_part_size


def bytes_read(pid: int) -> int:
    """Every byte the process read through a system call (page cache or disk), with the
    reads of the children it reaped (ffprobe, and ffmpeg grabbing the thumbnail)."""
    for line in Path(f"/proc/{pid}/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar in /proc/PID/io")



def upload_and_process(signed_in: SignedIn, path: Path) -> tuple[JobView, Account]:
    """Upload ``path`` with the daemon and wait until the server has processed it."""
    done = signed_in.daemon.cli("upload", str(path), "--wait")
    assert done.returncode == 0, done.stdout + done.stderr
    (job,) = signed_in.daemon.client().jobs()
    account = sign_in(signed_in.server, signed_in.email)
    processed_media(account, str(job.media_file_id))
    return job, account


def test_a_large_video_is_read_once_and_processing_records_its_sha1(
    signed_in: SignedIn, long_video: Path
) -> None:
    size = long_video.stat().st_size
    assert size > 2 * server_part_size(signed_in.server), "sent as a large file in parts"
    pid = signed_in.daemon.proc.pid  # type: ignore[union-attr]
    before = bytes_read(pid)
    result = signed_in.daemon.cli("upload", str(long_video), "--wait")
    assert result.returncode == 0, result.stdout + result.stderr
    read = bytes_read(pid) - before
    # The parts once, and what ffmpeg reads around the middle frame for the thumbnail (a
    # third of this short, dense video); a whole-file pass before the upload makes it 2.3.
    assert read < 1.5 * size, f"the daemon read {read / size:.2f} times the file"
    (job,) = signed_in.daemon.client().jobs()
    assert job.state == "done"
    account = sign_in(signed_in.server, signed_in.email)
    media = processed_media(account, str(job.media_file_id))
    assert media["status"] == "ready", media["processingError"]
    assert media["contentSha1"] == hashlib.sha1(long_video.read_bytes()).hexdigest()


def test_a_copy_of_a_large_video_in_the_library_is_a_duplicate_and_nothing_is_sent(
    signed_in: SignedIn, long_video: Path, tmp_path: Path
) -> None:
    original, account = upload_and_process(signed_in, long_video)
    copy = tmp_path / "the same lecture again.mp4"
    shutil.copyfile(long_video, copy)
    second = signed_in.daemon.cli("upload", str(copy), "--wait")
    assert second.returncode == 0, second.stdout + second.stderr
    jobs = signed_in.daemon.client().jobs()
    assert [j.state for j in jobs] == ["done", "duplicate"]
    assert jobs[1].duplicate_of == original.media_file_id
    assert account.get("/api/v1/media/user/media").json()["data"]["total"] == 1
    api = master_api(signed_in.server)
    listing = api.get_bucket_by_name("reeldrop-media").ls(
        f"videos/{account.user_id}/", recursive=True
    )
    stored = [v for v, _ in listing if v.size == long_video.stat().st_size]
    assert len(stored) == 1, "the copy was not stored"
    received = bytes_received(signed_in.server, api, stored[0].id_)
    assert received == long_video.stat().st_size, "only the first upload's bytes arrived"


def test_a_video_of_the_same_size_but_other_content_is_uploaded(
    signed_in: SignedIn, long_video: Path, tmp_path: Path
) -> None:
    """Same size is only a reason to hash first; different bytes are a new video."""
    _original, account = upload_and_process(signed_in, long_video)
    other = tmp_path / "another lecture.mp4"
    data = bytearray(long_video.read_bytes())
    data[len(data) // 2] ^= 0xFF  # inside the frames: still the same video to ffprobe
    other.write_bytes(bytes(data))
    second = signed_in.daemon.cli("upload", str(other), "--wait")
    assert second.returncode == 0, second.stdout + second.stderr
    jobs = signed_in.daemon.client().jobs()
    assert [j.state for j in jobs] == ["done", "done"]
    media = processed_media(account, str(jobs[1].media_file_id))
    assert media["contentSha1"] == hashlib.sha1(bytes(data)).hexdigest()
    assert account.get("/api/v1/media/user/media").json()["data"]["total"] == 2
