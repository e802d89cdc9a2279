"""The daemon core and pipeline in process, against fakes of the server and the uploader
(same Protocols as the real parts), a real SQLite database and real probing."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest

import daemon.jobs.models  # noqa: F401 - registers the tables
from daemon.core.core import DaemonCore
from daemon.core.errors import InvalidRequest, JobNotFound
from daemon.jobs.models import OutboxEntry
from daemon.jobs.states import IllegalTransition
from daemon.pipeline import stages
from daemon.pipeline.library_lookups import initiate_request
from daemon.pipeline.progress import LatestReport, ProgressReporter
from daemon.serverapi.api import MediaApi
from daemon.serverapi.errors import ServerRejected
from daemon.transfer.bandwidth import BandwidthLimiter
from daemon.transfer.errors import FileChanged, ReadStopped, TransferError
from daemon.transfer.meter import WireMeter
from shared.api_schemas import InitiateRequest, ProgressReport
from shared.control.schemas import JobEvent
from shared.control.states import JobState
from shared.policy import Policy
from tests.support.daemon import wait_until
from tests.support.fake_core import core_with_fakes, sign_in
from tests.support.fakes import PART, FakeServer, FakeUploader

S = JobState


@dataclass
class Rig:
    core: DaemonCore
    server: FakeServer
    uploader: FakeUploader
    events: list[JobEvent]

    def run(self, job_id: str) -> JobState:
        """One pass of the job's stages and of the outbox, as the scheduler would do."""
        self.core.stages.run(job_id, threading.Event())
        self.core.runner.deliver_outbox()
        return self.core.jobs.get(job_id).state

    def drain(self) -> list[JobEvent]:
        return self.events


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    server = FakeServer()
    uploader = FakeUploader()
    with core_with_fakes(tmp_path, server, uploader) as core:
        events: list[JobEvent] = []
        queue = core.bus.subscribe()
        sign_in(core)
        yield Rig(core, server, uploader, events)
        while not queue.empty():
            events.append(queue.get_nowait())


def big_file(path: Path, source: Path, size: int) -> Path:
    """A real video padded to ``size`` bytes (ffprobe still reads it) in several parts."""
    shutil.copy(source, path)
    with path.open("ab") as handle:
        handle.truncate(size)
    return path


def test_a_job_goes_through_every_stage_and_ends_with_its_playback_url(
    rig: Rig, videos: dict[str, Path]
) -> None:
    (job,) = rig.core.add_files([videos["mp4"]])
    assert rig.run(job.id) == S.DONE
    done = rig.core.jobs.get(job.id)
    assert done.cdn_url and done.media_file_id and done.bytes_sent == done.total_bytes
    assert done.error is None and done.source == "cli"


def test_progress_never_goes_backwards(rig: Rig, videos: dict[str, Path]) -> None:
    (job,) = rig.core.add_files([videos["mp4"]])
    rig.core.store.update(job.id, state=S.PROBING)
    rig.core.store.update(job.id, state=S.INITIATING)
    rig.core.store.update(job.id, state=S.UPLOADING)
    rig.core.store.progress(job.id, 5000, 100.0, 3)
    rig.core.store.progress(job.id, 1000, 100.0, 3)  # a retried part starts from zero
    assert rig.core.jobs.get(job.id).bytes_sent == 5000

    reported: list[int] = []
    meter = WireMeter(BandwidthLimiter(None), threading.Event(), lambda d, _w: reported.append(d))
    meter.charge(1, 4000)
    meter.restart_part(1)  # the HTTP layer rewinds the part to send it again
    meter.charge(1, 1000)
    meter.part_stored(1, 5000)
    assert reported == sorted(reported) and reported[-1] == 5000
    assert meter.wire == 5000, "speed counts every byte on the wire, the re-sent ones too"


def test_a_possible_duplicate_is_hashed_before_a_session_and_stops_when_cancelled(
    rig: Rig, videos: dict[str, Path], tmp_path: Path
) -> None:
    """Only a file of a size the library holds is hashed first; cancelling stops the hash
    with no session opened, and a change while hashing starts the job over."""
    (original,) = rig.core.add_files([videos["mp4"]])
    assert rig.run(original.id) == S.DONE
    copy = tmp_path / "copy.mp4"
    shutil.copy2(videos["mp4"], copy)
    (job,) = rig.core.add_files([copy])
    sessions = len(rig.server.sessions)

    cancelled = threading.Event()
    cancelled.set()
    rig.core.stages.run(job.id, cancelled)
    assert rig.core.jobs.get(job.id).state == S.INITIATING
    assert len(rig.server.sessions) == sessions, "no session while hashing"

    real_sha1_file = stages.sha1_file

    def touched_while_hashing(path: Path, **kw: Any) -> str:
        digest = real_sha1_file(path, **kw)
        os.utime(path, (1, 1))
        return digest

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(stages, "sha1_file", touched_while_hashing)
        rig.core.stages.run(job.id, threading.Event())
    changed = rig.core.jobs.get(job.id)
    assert (changed.state, changed.error.code if changed.error else None) == (
        S.QUEUED,
        "file_changed",
    )
    assert len(rig.server.sessions) == sessions

    rig.core.store.update(job.id, next_attempt_at=None)
    assert rig.run(job.id) == S.DUPLICATE
    assert rig.core.jobs.get(job.id).duplicate_of == rig.core.jobs.get(original.id).media_file_id


def finished_recording(tmp_path: Path, source: Path, name: str) -> Path:
    recording = tmp_path / name
    shutil.copy(source, recording)
    os.utime(recording, (1, 1))  # long finished
    return recording


def probe_once_a_session_is_open(
    rig: Rig, monkeypatch: pytest.MonkeyPatch, meanwhile: Callable[[], object] = lambda: None
) -> Callable[[Path, Policy], Any]:
    """ffprobe starts only once the server has opened a session (then ``meanwhile`` runs):
    proof that ``initiate`` went out while the file was probed. Returns the real probe."""
    real_prepare = stages.prepare

    def prepare(path: Path, policy: Policy) -> Any:
        wait_until(lambda: rig.server.sessions, 10, "no session was opened while probing")
        meanwhile()
        return real_prepare(path, policy)

    monkeypatch.setattr(stages, "prepare", prepare)
    return real_prepare


def wait_until_cancelled(rig: Rig, session_key: str) -> None:
    def cancelled() -> bool:
        rig.core.runner.deliver_outbox()
        return rig.server.cancelled == [session_key]

    wait_until(cancelled, 10, "the session opened while probing was not cancelled")


def test_the_library_is_asked_and_the_session_opened_while_the_file_is_probed(
    rig: Rig, videos: dict[str, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The question that decides whether to hash first, and ``initiate`` when nothing of
    the size is in the library, are server round trips on the way to the first part: both
    are done while ffprobe runs, not after it, and the session opened is the one used."""
    probe_once_a_session_is_open(rig, monkeypatch)
    (job,) = rig.core.add_files([finished_recording(tmp_path, videos["mp4"], "lecture.mp4")])
    assert rig.run(job.id) == S.DONE
    (session_key,) = rig.server.sessions
    assert rig.core.store.get(job.id).session_key == session_key
    assert [c.session_key for c in rig.server.completed] == [session_key]
    assert rig.server.cancelled == []
    assert rig.core.stages.lookups.take(job.id) is None  # none kept


def test_a_session_opened_while_probing_is_cancelled_when_the_probe_rejects_the_file(
    rig: Rig, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    probe_once_a_session_is_open(rig, monkeypatch)
    fake = tmp_path / "notes.mp4"
    fake.write_bytes(b"these are lecture notes, not a video" * 100)
    os.utime(fake, (1, 1))
    (job,) = rig.core.add_files([fake])
    assert rig.run(job.id) == S.REJECTED
    (session_key,) = rig.server.sessions
    wait_until_cancelled(rig, session_key)


def test_a_session_opened_while_probing_is_cancelled_when_the_user_pauses_the_job(
    rig: Rig, videos: dict[str, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Paused while probed: the session opened meanwhile would hold one of the user's
    upload slots on the server until it expired; it is cancelled, and resuming opens a
    new one."""
    real_prepare = probe_once_a_session_is_open(
        rig, monkeypatch, meanwhile=lambda: rig.core.jobs.pause(job.id)
    )
    (job,) = rig.core.add_files([finished_recording(tmp_path, videos["mp4"], "paused.mp4")])
    with pytest.raises(IllegalTransition):  # the user's pause wins (the runner logs it)
        rig.core.stages.run(job.id, threading.Event())
    assert rig.core.jobs.get(job.id).state == S.PAUSED
    (paused_session,) = rig.server.sessions
    wait_until_cancelled(rig, paused_session)
    monkeypatch.setattr(stages, "prepare", real_prepare)
    rig.core.jobs.resume(job.id)
    assert rig.run(job.id) == S.DONE
    (completed,) = rig.server.completed
    assert completed.session_key in rig.server.sessions
    assert completed.session_key != paused_session


def test_the_servers_refusal_of_the_early_initiate_is_the_jobs_answer(
    rig: Rig, videos: dict[str, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Refused while probing, the request is not sent again: the refusal is the answer."""
    asked: list[InitiateRequest] = []

    def refuse(request: InitiateRequest) -> Any:
        asked.append(request)
        raise ServerRejected(413, "file_too_large", "the file is larger than allowed")

    monkeypatch.setattr(rig.server, "initiate", refuse)
    (job,) = rig.core.add_files([finished_recording(tmp_path, videos["mp4"], "huge.mp4")])
    assert rig.run(job.id) == S.REJECTED
    error = rig.core.jobs.get(job.id).error
    assert error is not None and error.code == "file_too_large"
    assert len(asked) == 1


def test_the_early_initiate_asks_the_library_about_the_size_in_the_same_round_trip(
    rig: Rig, videos: dict[str, Path], tmp_path: Path
) -> None:
    """One request on the way to the first part: ``initiate`` with ``checkSizeFirst``
    answers ``sameSizeInLibrary`` (no session) for a size the library holds, and a session
    for any other; an answer about another size is not used (the file grew since)."""
    (original,) = rig.core.add_files([videos["mp4"]])
    assert rig.run(original.id) == S.DONE
    size = videos["mp4"].stat().st_size
    sessions = len(rig.server.sessions)
    copy = finished_recording(tmp_path, videos["mp4"], "copy.mp4")
    (job,) = rig.core.add_files([copy])
    lookups = rig.core.stages.lookups
    lookups.start(rig.core.store.get(job.id), copy, 0)  # the library has one of this size
    early = lookups.take(job.id)
    assert early is not None and early.request.check_size_first
    asked = initiate_request(rig.core.store.get(job.id), size, "video/mp4")
    answer = early.session(asked, rig.server)
    assert answer is not None and answer.same_size_in_library and answer.session_key is None
    assert len(rig.server.sessions) == sessions, "nothing opened: hashed first"
    grown = initiate_request(rig.core.store.get(job.id), size + 1, "video/mp4")
    assert early.session(grown, rig.server) is None
    lookups.drop(job.id, early)
    assert rig.run(job.id) == S.DUPLICATE
    assert len(rig.server.sessions) == sessions
    sent = [r for r in rig.server.initiated if r.filename == "copy.mp4"]
    assert [r.content_sha1 is None for r in sent] == [True, True, False]  # early, run, hashed


def test_a_file_still_being_written_is_not_asked_about(
    rig: Rig, videos: dict[str, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A recording that grows goes back to the queue every few seconds: no question is
    asked, and no session opened, for it until it is quiet."""
    asked: list[InitiateRequest] = []
    monkeypatch.setattr(rig.server, "initiate", lambda request: asked.append(request))
    growing = tmp_path / "growing.mp4"
    shutil.copy(videos["mp4"], growing)  # written just now
    (job,) = rig.core.add_files([growing])
    lookups = rig.core.stages.lookups
    lookups.start(rig.core.store.get(job.id), growing, 60)
    assert lookups.take(job.id) is None
    os.utime(growing, (1, 1))
    lookups.start(rig.core.store.get(job.id), growing, 60)
    early = lookups.take(job.id)
    assert early is not None
    early.answer.result()
    assert [r.file_size for r in asked] == [growing.stat().st_size], "asked once, when quiet"


def test_jobs_asked_for_by_id_are_the_only_ones_built(rig: Rig, videos: dict[str, Path]) -> None:
    """``reeldrop upload --wait`` asks twice a second for the jobs it follows: a daemon
    with a term's history must not build and send every job each time."""
    first, second = rig.core.add_files([videos["mp4"], videos["large"]])
    assert [j.id for j in rig.core.jobs.all([second.id, "gone"])] == [second.id]
    assert {j.id for j in rig.core.jobs.all()} == {first.id, second.id}
    assert rig.core.jobs.all([]) == []
    with pytest.raises(InvalidRequest):
        rig.core.jobs.all([str(n) for n in range(201)])


def test_the_last_parts_report_their_end_once(rig: Rig, videos: dict[str, Path]) -> None:
    """Every byte is counted once it is on its way, so the parts still finishing call back
    with the total again and again: one save and one report to the server, not one each
    (they ran in the threads sending the parts, delaying the finish)."""
    (job,) = rig.core.add_files([videos["mp4"]])
    total = videos["mp4"].stat().st_size
    session = rig.server.initiate(
        InitiateRequest(filename="a.mp4", file_size=total, content_type="video/mp4")
    )
    for state in (S.PROBING, S.INITIATING, S.UPLOADING):
        rig.core.store.update(
            job.id, state=state, session_key=session.session_key, total_bytes=total
        )
    report = ProgressReporter(rig.core.store, rig.core.store.get(job.id), lambda: rig.server)
    report(total // 2, total // 2)  # the first call reports
    report(total // 2 + 1, total // 2 + 1)  # within 2 s: kept live only
    for _part in range(4):
        report(total, total)
    assert rig.core.jobs.get(job.id).bytes_sent == total
    wait_until(lambda: rig.server.reports[-1:] == [total], 10, "the end was not reported")
    assert rig.server.reports in ([total // 2, total], [total]), rig.server.reports


def test_a_slow_server_never_holds_up_the_parts(rig: Rig, videos: dict[str, Path]) -> None:
    """Progress goes to the server from a thread of its own: a part's callback returns
    while the server has not answered, and the newest report is the one sent next."""
    (job,) = rig.core.add_files([videos["mp4"]])
    total = videos["mp4"].stat().st_size
    session = rig.server.initiate(
        InitiateRequest(filename="a.mp4", file_size=total, content_type="video/mp4")
    )
    for state in (S.PROBING, S.INITIATING, S.UPLOADING):
        job_row = rig.core.store.update(
            job.id, state=state, session_key=session.session_key, total_bytes=total
        )
    answer = threading.Event()
    told: list[int] = []

    class SlowServer:
        def report_progress(self, _key: str, report: ProgressReport) -> None:
            answer.wait(30)
            told.append(report.bytes_uploaded)

    server = cast(MediaApi, SlowServer())
    report = ProgressReporter(rig.core.store, job_row, lambda: server)
    calls = threading.Thread(
        target=lambda: [report(n, n) for n in (total // 4, total // 2, total)], daemon=True
    )
    calls.start()
    calls.join(10)
    assert not calls.is_alive(), "a part waited for the server's answer"
    assert rig.core.jobs.get(job.id).bytes_sent == total
    answer.set()
    wait_until(lambda: told[-1:] == [total], 10, "the end was not reported")
    assert told == [total // 4, total]


def test_only_the_newest_report_waits_while_one_is_sent() -> None:
    answer = threading.Event()
    sent: list[int] = []

    def send(done: int, _speed: float | None) -> None:
        answer.wait(30)
        sent.append(done)

    latest = LatestReport(send)
    for done in (1, 2, 3, 4):
        latest.offer(done, None)
    answer.set()
    wait_until(lambda: sent[-1:] == [4], 10, "the newest report was not sent")
    assert sent == [1, 4]


def test_a_thumbnail_sent_for_an_earlier_session_is_sent_again(
    rig: Rig, videos: dict[str, Path]
) -> None:
    """An upload cancelled and started again has a new session and thumbnail key: what was
    sent to the old one does not count, or the video would end without a thumbnail."""
    (job,) = rig.core.add_files([videos["mp4"]])
    thumbnails = rig.core.stages.thumbnails
    sent_for: list[str] = []

    def sender(session: str) -> Callable[[Path], bool]:
        return lambda _made: sent_for.append(session) is None

    first = rig.core.store.update(job.id, session_key="session-a")
    thumbnails.start(first, sender("session-a"))
    second = rig.core.store.update(job.id, session_key="session-b")
    thumbnails.start(second, sender("session-b"))
    thumbnail = thumbnails.wait(job.id, "session-b")
    assert thumbnail.sent and thumbnail.path and Path(thumbnail.path).exists()
    assert sent_for[-1] == "session-b"


def test_a_thumbnail_of_content_that_changed_meanwhile_is_not_kept(
    rig: Rig, videos: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file changes (its session dropped, its thumbnail cleared) just as a thumbnail of
    the old content is about to be recorded: the job must not keep the old picture, or the
    upload of the new content would send it."""
    (job,) = rig.core.add_files([videos["mp4"]])
    store = rig.core.store
    grabbed = store.update(job.id, session_key="session-a")
    update = store.update

    def file_changes_first(job_id: str, **fields: Any) -> Any:
        if fields.get("thumbnail_path"):
            update(job_id, session_key=None, thumbnail_path=None)  # as ``file_changed`` does
        return update(job_id, **fields)

    monkeypatch.setattr(store, "update", file_changes_first)
    rig.core.stages.thumbnails.start(grabbed, lambda _made: True)
    thumbnail = rig.core.stages.thumbnails.wait(job.id, "session-a")
    assert thumbnail.path is None and not thumbnail.sent
    assert store.get(job.id).thumbnail_path is None, "the old content's thumbnail was kept"


def test_a_file_that_changes_mid_upload_starts_over_once_quiet(
    rig: Rig, videos: dict[str, Path], tmp_path: Path
) -> None:
    path = big_file(tmp_path / "lecture.mp4", videos["mp4"], 3 * PART)
    (job,) = rig.core.add_files([path])

    def overwrite(part: int) -> None:
        if part == 2:
            shutil.copy(videos["hd"], path)  # `cp` over the file being sent

    rig.uploader.between_parts = overwrite
    assert rig.run(job.id) == S.QUEUED
    changed = rig.core.jobs.get(job.id)
    assert changed.error is not None and changed.error.code == "file_changed"
    assert "the file changed while it was being uploaded" in changed.error.message
    with rig.core.store.factory() as db:
        assert [e.kind for e in db.query(OutboxEntry)] == ["cancel"]
    rig.core.store.update(job.id, next_attempt_at=None)  # the quiet period has passed
    rig.uploader.between_parts = lambda _n: None
    assert rig.run(job.id) == S.DONE
    assert rig.core.jobs.get(job.id).total_bytes == videos["hd"].stat().st_size


def test_a_stopped_read_carries_its_reason_through_b2sdk() -> None:
    stop = ReadStopped(FileChanged("a.mp4"))
    assert not stop.should_retry_http() and not stop.should_retry_upload()
    assert isinstance(stop.reason, FileChanged)


def test_server_unreachable_is_shown_and_cleared(rig: Rig, videos: dict[str, Path]) -> None:
    (job,) = rig.core.add_files([videos["mp4"]])
    rig.server.down = True
    assert rig.run(job.id) == S.INITIATING
    waiting = rig.core.jobs.get(job.id)
    assert waiting.error is not None
    assert waiting.error.message.startswith("server unreachable, retrying in ")
    assert rig.core.status().connectivity.server == "unreachable"
    rig.server.down = False
    rig.core.store.update(job.id, next_attempt_at=None)
    assert rig.run(job.id) == S.DONE
    assert rig.core.jobs.get(job.id).error is None
    assert rig.core.status().connectivity.server == "ok"


def test_adding_files_follows_the_server_policy_and_is_idempotent(
    rig: Rig, videos: dict[str, Path], tmp_path: Path
) -> None:
    folder = tmp_path / "week"
    folder.mkdir()
    for name in ("a.mp4", "b.mkv", "notes.txt"):
        shutil.copy(videos["mp4"], folder / name)
    assert [j.filename for j in rig.core.add_files([folder])] == ["a.mp4"]
    assert [j.filename for j in rig.core.add_files([folder])] == ["a.mp4"]
    assert len(rig.core.jobs.all()) == 1, "adding the same file twice is a no-op"
    rig.core._policy = Policy(allowed_video_formats=("mp4", "mkv"))
    assert sorted(j.filename for j in rig.core.add_files([folder])) == ["a.mp4", "b.mkv"]
    with pytest.raises(InvalidRequest, match=r"missing\.mp4 does not exist"):
        rig.core.add_files([tmp_path / "missing.mp4"])
    with pytest.raises(JobNotFound):
        rig.core.jobs.remove("no-such-job")


def test_a_job_that_ends_while_it_is_being_removed_is_removed(
    rig: Rig, videos: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Removing a job the probe rejects at that very moment: the cancel finds it ended (a
    rejected job cannot be cancelled), and the job still goes; over the control API the
    same race on ``cancel`` is a 409 that says so, not a server error."""
    from daemon.control.app import translate

    (job,) = rig.core.add_files([videos["mp4"]])
    real_update = rig.core.store.update

    def rejected_meanwhile(job_id: str, **fields: Any) -> Any:
        if fields.get("state") == S.CANCELLED:
            real_update(job_id, state=S.PROBING)
            real_update(job_id, state=S.REJECTED, error_code="too_small", error_message="x")
        return real_update(job_id, **fields)

    monkeypatch.setattr(rig.core.store, "update", rejected_meanwhile)
    with pytest.raises(IllegalTransition) as moved_on:
        rig.core.jobs.cancel(job.id)
    answer = translate(moved_on.value)
    assert answer is not None and answer.status_code == 409
    (another,) = rig.core.add_files([videos["large"]])
    rig.core.jobs.remove(another.id)
    assert [j.id for j in rig.core.jobs.all()] == [job.id]


def test_after_a_restart_sessions_held_count_against_the_limit(
    rig: Rig, videos: dict[str, Path], tmp_path: Path
) -> None:
    jobs = []
    for n in range(4):
        jobs.append(rig.core.add_files([shutil.copy(videos["mp4"], tmp_path / f"{n}.mp4")])[0])
    for job in jobs[2:]:  # two were uploading when the daemon stopped
        for state in (S.PROBING, S.INITIATING, S.UPLOADING):
            rig.core.store.update(job.id, state=state)
        rig.core.store.backoff(job.id, 3600, "not_signed_in", "waiting")
        rig.core.store.update(job.id, session_key=f"session-{job.id}")
    started: list[str] = []
    release = threading.Event()

    def hold(job_id: str, _cancel: threading.Event) -> None:
        started.append(job_id)
        release.wait(30)

    rig.core.stages.run = hold  # type: ignore[method-assign]
    rig.core.runner.concurrency = 2
    rig.core.runner.launch_due_jobs()
    assert started == [], "no new session while the waiting ones hold the limit"
    for job in jobs[2:]:
        rig.core.store.update(job.id, next_attempt_at=None)
    rig.core.runner.launch_due_jobs()
    release.set()
    assert sorted(started) == sorted(j.id for j in jobs[2:]), "the uploading ones first"


def test_the_thumbnail_is_grabbed_before_the_parts_set_off(
    rig: Rig, videos: dict[str, Path], tmp_path: Path
) -> None:
    """ffmpeg started among the sending parts slows them (37-60 ms of a 1 GiB upload on two
    cores): it starts as the upload does, while b2sdk waits on the store for the large
    file's start, and the video gets its thumbnail."""
    path = big_file(tmp_path / "lecture.mp4", videos["mp4"], 3 * PART)
    (job,) = rig.core.add_files([path])
    thumbnails = rig.core.stages.thumbnails
    wire_at_start: list[int] = []
    start = thumbnails.start

    def recorded(job: Any, send: Callable[[Path], bool]) -> None:
        wire_at_start.append(rig.uploader.wire)
        start(job, send)

    thumbnails.start = recorded  # type: ignore[method-assign]
    assert rig.run(job.id) == S.DONE
    assert wire_at_start == [0], "grabbed once the parts were moving"
    assert rig.server.completed[-1].thumbnail_uploaded


def test_an_upload_the_store_already_holds_still_gets_its_thumbnail(
    rig: Rig, videos: dict[str, Path], tmp_path: Path
) -> None:
    """A daemon stopped after the store finished the large file sends nothing when it comes
    back: no bytes move, and the thumbnail is grabbed all the same."""
    path = big_file(tmp_path / "lecture.mp4", videos["mp4"], 3 * PART)
    (job,) = rig.core.add_files([path])

    def storage_fails(_part: int) -> None:
        raise TransferError("storage did not answer", transient=True)

    rig.uploader.between_parts = storage_fails
    assert rig.run(job.id) == S.UPLOADING
    large_id = rig.core.store.get(job.id).large_file_id
    assert large_id is not None
    rig.uploader.finished.add(large_id)  # the store finished it meanwhile
    rig.core.stages.thumbnails.forget(job.id)  # and this is a new daemon
    rig.core.store.update(job.id, next_attempt_at=None)
    wire_before = rig.uploader.wire
    assert rig.run(job.id) == S.DONE
    assert rig.uploader.wire == wire_before, "nothing was sent again"
    assert rig.server.completed[-1].thumbnail_uploaded
    assert rig.uploader.new_sessions == [True, False], "only a session just opened is new"
