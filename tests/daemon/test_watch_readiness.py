"""A watched folder takes a video only when it is finished: real daemon, real filesystem
events, real server and store."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from tests.daemon.conftest import SignedIn
from tests.support.api import processed_media, sign_in
from tests.support.watching import QUIET, job_for, jobs_under, start_watching, wait_for_file
from tests.videos import run_ffmpeg


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def index_at_front(source: Path, target: Path) -> Path:
    run_ffmpeg(["-i", str(source), "-c", "copy", "-movflags", "+faststart", str(target)])
    return target


def test_a_file_written_in_bursts_is_uploaded_once_after_its_last_write(
    signed_in: SignedIn, videos: dict[str, Path], tmp_path: Path
) -> None:
    daemon = signed_in.daemon
    folder = tmp_path / "recordings"
    start_watching(daemon, folder)
    sources = {
        folder / "index-at-end.mp4": videos["large"],
        folder / "index-at-front.mp4": index_at_front(videos["large"], tmp_path / "front.mp4"),
    }
    contents = {target: source.read_bytes() for target, source in sources.items()}
    bursts = 4
    last_write = now_utc()
    for n in range(bursts):
        if n == bursts - 1:
            last_write = now_utc()
        for target, data in contents.items():
            step = len(data) // bursts + 1
            with open(target, "ab") as handle:  # closed after each burst
                handle.write(data[n * step : (n + 1) * step])
        if n < bursts - 1:
            time.sleep(QUIET * 2.5)  # longer than the quiet window
            assert jobs_under(daemon, folder) == [], "a half-written file was taken"
    account = sign_in(signed_in.server, signed_in.email)
    for target, data in contents.items():
        job = wait_for_file(daemon, target)
        assert job.state == "done", job.error
        assert job.created_at >= last_write
        media = processed_media(account, str(job.media_file_id))
        assert media["contentSha1"] == hashlib.sha1(data).hexdigest()
        assert httpx.get(media["cdnUrl"]).content == data
    assert len(jobs_under(daemon, folder)) == 2, "each file was taken exactly once"
    assert account.get("/api/v1/media/user/media").json()["data"]["total"] == 2


def test_truncated_mp4s_that_never_complete_are_rejected_with_a_reason(
    signed_in: SignedIn, videos: dict[str, Path], tmp_path: Path
) -> None:
    daemon = signed_in.daemon
    folder = tmp_path / "recordings"
    start_watching(daemon, folder)
    front = index_at_front(videos["large"], tmp_path / "front.mp4")
    cut = {}
    for name, source in (
        ("cut-index-at-end.mp4", videos["large"]),
        ("cut-index-at-front.mp4", front),
    ):
        data = source.read_bytes()
        cut[folder / name] = data[: len(data) // 2]
    for target, data in cut.items():
        target.write_bytes(data)
    for target in cut:
        job = wait_for_file(daemon, target, timeout=180)
        assert job.state == "rejected" and job.error is not None, job
        assert job.error.code == "incomplete", job.error
        assert target.name in job.error.message and "incomplete" in job.error.message
        assert (job.source, job.watch_folder) == ("watch", str(folder))
        written = datetime.fromtimestamp(target.stat().st_mtime, UTC).replace(tzinfo=None)
        assert (job.created_at - written).total_seconds() >= QUIET
    account = sign_in(signed_in.server, signed_in.email)
    assert account.get("/api/v1/media/user/media").json()["data"]["total"] == 0


def test_a_temporary_file_renamed_on_completion_is_taken_and_its_temp_name_never(
    signed_in: SignedIn, videos: dict[str, Path], tmp_path: Path
) -> None:
    daemon = signed_in.daemon
    folder = tmp_path / "downloads"
    start_watching(daemon, folder)
    partial = folder / "lecture.mp4.part"  # a browser download, written in two bursts
    data = videos["mp4"].read_bytes()
    with open(partial, "wb") as handle:
        handle.write(data[: len(data) // 2])
    saving = folder / ".recording.mp4"  # a recorder's whole file under a hidden name
    saving.write_bytes(videos["mov"].read_bytes())
    time.sleep(QUIET * 3)
    with open(partial, "ab") as handle:
        handle.write(data[len(data) // 2 :])
    finals = [partial.rename(folder / "lecture.mp4"), saving.rename(folder / "recording.mp4")]
    for final in finals:
        job = wait_for_file(daemon, final)
        assert job.state == "done", job.error
    assert sorted(Path(j.path).name for j in jobs_under(daemon, folder)) == [
        "lecture.mp4",
        "recording.mp4",
    ]
    assert job_for(daemon, partial) is None and job_for(daemon, saving) is None
