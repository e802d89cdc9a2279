"""What ``upload --wait`` and ``status`` print: a bar per file on a terminal (speed, ETA),
plain lines otherwise, and one final line per file."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

from reeldrop.progress_view import (
    Ends,
    ProgressDisplay,
    final_line,
    follow,
    status_line,
    watch_for_ends,
)
from shared.control.client import DaemonUnavailable
from shared.control.job_line import JobLine
from shared.control.schemas import JobView
from shared.control.states import JobState

NOW = datetime(2026, 1, 1, tzinfo=UTC)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def job(state: JobState, sent: int, **extra: object) -> JobLine:
    """A job as the daemon sends it (its wire schema, camelCase JSON), read as the command
    reads it."""
    view = JobView.model_validate(
        {
            "id": "j1",
            "path": "/videos/week 1.mp4",
            "filename": "week 1.mp4",
            "state": state,
            "bytesSent": sent,
            "totalBytes": 1_000_000,
            "createdAt": NOW,
            "updatedAt": NOW,
            **extra,
        }
    )
    return JobLine.from_json(view.model_dump(mode="json", by_alias=True))


def test_a_job_line_reads_every_field_it_shows_from_the_daemons_json() -> None:
    line = job(
        JobState.UPLOADING,
        250_000,
        speedBps=2_500_000.0,
        etaSeconds=75,
        cdnUrl="http://cdn/x.mp4",
        error={"code": "storage_unreachable", "message": "storage is not answering"},
    )
    assert line == JobLine(
        id="j1",
        path="/videos/week 1.mp4",
        filename="week 1.mp4",
        state=JobState.UPLOADING,
        bytes_sent=250_000,
        total_bytes=1_000_000,
        speed_bps=2_500_000.0,
        eta_seconds=75,
        cdn_url="http://cdn/x.mp4",
        error="storage is not answering",
    )


def test_a_job_line_says_why_by_the_errors_message_or_else_its_code() -> None:
    assert job(JobState.UPLOADING, 0).error is None
    coded = job(JobState.FAILED, 0, error={"code": "upload_failed", "message": ""})
    assert coded.error == "upload_failed"
    assert final_line(coded) == "/videos/week 1.mp4: failed: upload_failed"


def test_a_terminal_gets_a_bar_redrawn_in_place_with_speed_and_eta() -> None:
    out = Terminal()
    states = iter(
        [
            [job(JobState.UPLOADING, 250_000, speedBps=2_500_000.0, etaSeconds=75)],
            [job(JobState.DONE, 1_000_000, cdnUrl="http://cdn/x.mp4")],
        ]
    )
    final = follow(lambda: next(states), ProgressDisplay(out), poll=0)
    text = out.getvalue()
    assert "[######.................." in text and " 25.0%" in text
    assert "2.5 MB/s, ETA 1:15" in text
    assert "\x1b[1F" in text, "the bar is redrawn in place"
    assert final_line(final[0]) == "/videos/week 1.mp4: done: http://cdn/x.mp4"


def test_a_pipe_gets_plain_lines_and_reasons() -> None:
    out = io.StringIO()
    display = ProgressDisplay(out)
    display.show([job(JobState.UPLOADING, 100_000, speedBps=1e6, etaSeconds=1)])
    display.show([job(JobState.UPLOADING, 110_000, speedBps=1e6, etaSeconds=1)])  # same tenth
    display.show([job(JobState.UPLOADING, 600_000, speedBps=1e6, etaSeconds=1)])
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and "\x1b[" not in out.getvalue()
    assert "1.0 MB/s, ETA 0:01" in lines[0]
    rejected = job(JobState.REJECTED, 0, error={"code": "too_small", "message": "too small"})
    assert final_line(rejected) == "/videos/week 1.mp4: rejected: too small"
    assert status_line(rejected).endswith("too small")


def test_follow_returns_when_a_job_ends_without_waiting_for_the_next_poll() -> None:
    """With an hour between polls, only the end read from the event stream can bring
    ``follow`` back (bounded wait: the thread must be done well before the hour)."""
    fetched: list[JobLine] = []
    published = threading.Event()

    def fetch() -> list[JobLine]:
        state = JobState.DONE if published.is_set() else JobState.UPLOADING
        fetched.append(job(state, 1_000_000 if published.is_set() else 10))
        return fetched[-1:]

    def events() -> Iterator[JobLine | None]:
        for _ in range(6000):  # until the first poll saw the job still uploading
            if fetched:
                break
            time.sleep(0.01)
        yield None  # a heartbeat
        yield job(JobState.DONE, 1_000_000, id="another")
        published.set()
        yield job(JobState.DONE, 1_000_000)

    ended = watch_for_ends(events, ["j1"])
    result: list[list[JobLine]] = []
    worker = threading.Thread(
        target=lambda: result.append(follow(fetch, ProgressDisplay(io.StringIO()), 3600, ended)),
        daemon=True,
    )
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), "follow slept through the end of the job"
    assert [j.state for j in result[0]] == [JobState.DONE]


def test_a_failing_event_stream_leaves_polling_to_see_the_end() -> None:
    def events() -> Iterator[JobLine | None]:
        raise DaemonUnavailable("the daemon went away")
        yield None

    states = iter([[job(JobState.UPLOADING, 10)], [job(JobState.DONE, 1_000_000)]])
    ended = watch_for_ends(events, ["j1"])
    final = follow(lambda: next(states), ProgressDisplay(io.StringIO()), 0, ended)
    assert [j.state for j in final] == [JobState.DONE]


def test_the_ends_the_stream_reported_are_printed_without_another_fetch() -> None:
    """The command prints the jobs as the stream saw them end: a last fetch would only
    repeat them, and keep the user waiting for a daemon busy with the next upload."""
    fetches: list[int] = []
    first_seen = threading.Event()

    def fetch() -> list[JobLine]:
        fetches.append(1)
        first_seen.set()
        return [job(JobState.UPLOADING, 10), job(JobState.UPLOADING, 10, id="j2")]

    def events() -> Iterator[JobLine | None]:
        first_seen.wait(60)
        yield job(JobState.REJECTED, 0, id="j2")
        yield job(JobState.DONE, 1_000_000, cdnUrl="http://cdn/1")

    ends = watch_for_ends(events, ["j1", "j2"])
    final = follow(fetch, ProgressDisplay(io.StringIO()), 3600, ends)
    assert [(j.id, j.state) for j in final] == [("j1", JobState.DONE), ("j2", JobState.REJECTED)]
    assert final_line(final[0]).endswith("done: http://cdn/1")
    assert len(fetches) == 1, "the ends came from the stream, not from another fetch"


def test_a_job_started_again_has_not_ended() -> None:
    ends = Ends(["j1", "j2"])
    ends.saw(job(JobState.FAILED, 5, id="j2"))
    ends.saw(job(JobState.QUEUED, 0, id="j2"))  # retried
    ends.saw(job(JobState.DONE, 1_000_000))
    assert ends.final() is None, "j2 is uploading again"
    ends.saw(job(JobState.DONE, 1_000_000, id="j2"))
    final = ends.final()
    assert final is not None and [j.state for j in final] == [JobState.DONE, JobState.DONE]
