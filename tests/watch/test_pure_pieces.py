"""Fast tests of the watcher's pure pieces: event merging, ignore rules, readiness steps."""

from __future__ import annotations

from pathlib import Path, PurePath

import pytest

from daemon.watch.events import Kind, RawEvent, Signal, merge
from daemon.watch.ignore import wanted_file
from daemon.watch.readiness import LOST_CLOSE_SECONDS, Candidate, Step, decide, give_up

A, B = Path("/w/a.mp4"), Path("/w/b.mp4")
POLICY = ("mp4", "webm", "avi", "mov")


def ev(kind: Kind, path: Path, dest: Path | None = None, is_dir: bool = False) -> RawEvent:
    return RawEvent(kind, path, is_dir, dest)


def test_the_last_word_about_a_writer_wins() -> None:
    batch = merge([ev(Kind.CREATED, A), ev(Kind.MODIFIED, A), ev(Kind.CLOSED, A)])
    assert batch.files == {A: Signal.CLOSED}
    batch = merge([ev(Kind.CLOSED, A), ev(Kind.MODIFIED, A)])
    assert batch.files == {A: Signal.WRITING}
    assert merge([ev(Kind.CREATED, A)]).files == {A: Signal.APPEARED}


def test_a_file_created_then_deleted_is_gone_and_back_again_is_present() -> None:
    batch = merge([ev(Kind.CREATED, A), ev(Kind.DELETED, A)])
    assert batch.files == {} and batch.gone == {A}
    batch = merge([ev(Kind.DELETED, A), ev(Kind.CREATED, A)])
    assert batch.files == {A: Signal.APPEARED} and batch.gone == set()


def test_a_rename_moves_the_writer_signal_to_the_new_name() -> None:
    batch = merge([ev(Kind.MODIFIED, A), ev(Kind.CLOSED, A), ev(Kind.MOVED, A, B)])
    assert batch.files == {B: Signal.CLOSED} and batch.gone == {A}
    batch = merge([ev(Kind.MOVED, A, B)])
    assert batch.files == {B: Signal.APPEARED}


def test_folder_events_ask_for_scans() -> None:
    d, e = Path("/w/d"), Path("/w/e")
    batch = merge([ev(Kind.CREATED, d, is_dir=True), ev(Kind.MOVED, d, e, is_dir=True)])
    assert batch.dirs_to_scan == {e} and batch.dirs_gone == {d}
    assert merge([ev(Kind.DELETED, d, is_dir=True)]).dirs_gone == {d}


@pytest.mark.parametrize(
    "name",
    [
        "lecture.mp4.part",
        "lecture.mp4.crdownload",
        "lecture.tmp",
        "~$lecture.mp4",
        ".DS_Store",
        "Thumbs.db",
        ".lecture.mp4",
        ".hidden/lecture.mp4",
        "sub/.cache/lecture.mp4",
        "lecture.mkv",
        "notes.txt",
        "lecture",
    ],
)
def test_temporary_system_hidden_and_unaccepted_files_are_ignored(name: str) -> None:
    assert not wanted_file(PurePath(name), POLICY)


@pytest.mark.parametrize("name", ["lecture.mp4", "LECTURE.MOV", "week 1/day 2/talk.webm"])
def test_accepted_videos_are_wanted(name: str) -> None:
    assert wanted_file(PurePath(name), POLICY)


def test_the_uploaded_folder_is_skipped_only_where_files_are_moved_there() -> None:
    moved = PurePath("Uploaded/lecture.mp4")
    assert not wanted_file(moved, POLICY, skip_uploaded=True)
    assert wanted_file(moved, POLICY, skip_uploaded=False)
    assert wanted_file(PurePath("week/Uploaded/lecture.mp4"), POLICY, skip_uploaded=True)


def test_extensions_follow_the_server_policy() -> None:
    assert wanted_file(PurePath("a.mkv"), ("mp4", "mkv"))
    assert not wanted_file(PurePath("a.avi"), ("mp4", "mkv"))


def test_a_growing_file_waits_and_a_quiet_closed_one_is_checked() -> None:
    c = Candidate(A, "/w", size=10, mtime=1.0, stable_since=100.0)
    assert decide(c, 102.0, quiet_seconds=5) == Step.WAIT
    assert c.observe(20, 2.0, 104.0) is True  # grew: the quiet window restarts
    assert decide(c, 108.0, quiet_seconds=5) == Step.WAIT
    assert c.observe(20, 2.0, 109.5) is False
    assert decide(c, 109.5, quiet_seconds=5) == Step.CHECK


def test_a_file_its_writer_still_holds_waits_however_quiet() -> None:
    c = Candidate(A, "/w", size=10, mtime=1.0, stable_since=0.0, writing=True)
    assert decide(c, 60.0, quiet_seconds=5) == Step.WAIT
    c.writing = False  # the close-after-write event arrived
    assert decide(c, 60.0, quiet_seconds=5) == Step.CHECK
    c.writing = True  # a lost close event does not block it for ever
    assert decide(c, LOST_CLOSE_SECONDS + 1, quiet_seconds=5) == Step.CHECK


def test_a_failed_check_waits_for_the_next_window() -> None:
    c = Candidate(A, "/w", size=10, mtime=1.0, stable_since=0.0, next_check=50.0)
    assert decide(c, 40.0, quiet_seconds=5) == Step.WAIT
    assert decide(c, 50.0, quiet_seconds=5) == Step.CHECK


def test_unreadable_files_are_given_up_on_only_long_after_their_last_write() -> None:
    assert not give_up(10, quiet_seconds=5)
    assert give_up(60, quiet_seconds=5)
