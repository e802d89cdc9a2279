"""Small parts of the app: units, the summary the tray shows, one instance per user, the
``reeldrop gui`` command line."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pytestqt.qtbot import QtBot

from desktop import units
from desktop.single_instance import SingleInstance, server_name
from desktop.summary import summarize
from reeldrop.cli import build_parser, main
from shared.control.schemas import JobView

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def job(state: str, sent: int = 0, total: int = 100) -> JobView:
    return JobView(
        id=state + str(sent),
        path="/v/a.mp4",
        filename="a.mp4",
        state=state,
        bytes_sent=sent,
        total_bytes=total,
        created_at=NOW,
        updated_at=NOW,
    )


def test_human_units() -> None:
    assert units.size(12_300_000) == "12.3 MB"
    assert units.size(1_500_000_000) == "1.5 GB"
    assert units.rate(12_300_000) == "12.3 MB/s"
    assert units.rate(None) == ""
    assert units.clock(5025) == "1:23:45"
    assert units.clock(83) == "1:23"
    assert units.eta(45) == "45 s"
    assert units.eta(3 * 60) == "3 min"
    assert units.eta(3900) == "1 h 5 min"
    assert units.resolution(1920, 1080) == "1920×1080"  # noqa: RUF001


def test_summary_states() -> None:
    up = {"daemon_up": True, "signed_in": True}
    assert summarize([], **up).state == "idle"
    uploading = summarize([job("uploading", 25), job("uploading", 75), job("queued")], **up)
    assert (uploading.state, uploading.percent) == ("uploading", 50)
    assert "1 waiting" in uploading.text
    assert summarize([job("paused", 10), job("done")], **up).state == "paused"
    assert summarize([job("failed")], **up).state == "attention"
    assert summarize([], daemon_up=True, signed_in=False).state == "attention"
    assert summarize([], **up, server_problem="server unreachable").text == "server unreachable"
    down = summarize([job("uploading", 5)], daemon_up=False, signed_in=True)
    assert down.state == "attention" and "not running" in down.text


def test_second_start_raises_the_first(qtbot: QtBot) -> None:
    first = SingleInstance()
    assert first.listen()
    second = SingleInstance()
    with qtbot.waitSignal(first.activated, timeout=10_000):
        assert second.ask_running_instance()
    assert not SingleInstance(server_name() + "-other").ask_running_instance(200)


def test_gui_command_is_registered() -> None:
    args = build_parser().parse_args(["gui", "--minimized"])
    assert args.command == "gui" and args.minimized is True


def test_no_arguments_without_a_display_prints_help(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert main([]) == 2
    assert "gui" in capsys.readouterr().err
