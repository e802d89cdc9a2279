"""The benchmarks hold the machine's free page reporting while they measure and always put
it back: a run that left it held would keep a virtual machine's freed memory from its host
after the benchmark, and one that did not hold it would let the host's page faults, not
the uploaders, decide the ratios. The kernel's parameters stand in a scratch directory:
the tests never change the real machine."""

from __future__ import annotations

import json
import os
import signal
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from bench.page_reporting import HOLD, held

FOUND = {"min_free_ms": "0", "max_waiting_mib": "1024"}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    parameters = tmp_path / "parameters"
    parameters.mkdir()
    (parameters / "page_reporting_order").write_text("9\n")
    for name, value in FOUND.items():
        (parameters / name).write_text(f"{value}\n")
    return parameters


def values(folder: Path) -> dict[str, str]:
    return {name: (folder / name).read_text().strip() for name in FOUND}


def holding(folder: Path) -> AbstractContextManager[str]:
    return held(folder, folder.parent / "saved.json")


def refuse_writes_of(monkeypatch: pytest.MonkeyPatch, name: str, value: str | None) -> None:
    """Writing ``value`` (any value: None) to the knob ``name`` fails, as it does for a
    user who is not root (a fake: CI runs as root, and root writes read-only files)."""
    write_text = Path.write_text

    def refuse(path: Path, data: str, *args: object, **kwargs: object) -> int:
        if path.name == name and value in (None, data):
            raise PermissionError(13, "Permission denied")
        return write_text(path, data)

    monkeypatch.setattr(Path, "write_text", refuse)


def test_reporting_is_held_during_the_run_and_put_back_after(folder: Path) -> None:
    with holding(folder) as note:
        assert values(folder) == {name: str(HOLD[name]) for name in FOUND}
        assert "held for the run" in note and "order 9" in note
    assert values(folder) == FOUND
    assert not (folder.parent / "saved.json").exists()


def test_a_failing_run_puts_it_back_too(folder: Path) -> None:
    with pytest.raises(RuntimeError), holding(folder):
        raise RuntimeError("a benchmark failed")
    assert values(folder) == FOUND


def test_sigterm_ends_the_run_and_puts_it_back(folder: Path) -> None:
    with pytest.raises(SystemExit), holding(folder):
        os.kill(os.getpid(), signal.SIGTERM)
    assert values(folder) == FOUND


def test_the_next_run_puts_back_what_a_killed_run_left(folder: Path) -> None:
    """SIGKILL runs no ``finally``: the values written down before the change remain."""
    saved = folder.parent / "saved.json"
    saved.write_text(json.dumps(FOUND))
    for name in FOUND:
        (folder / name).write_text(str(HOLD[name]))
    with holding(folder) as note:
        assert "held for the run" in note and "min_free_ms 0" in note
    assert values(folder) == FOUND
    assert not saved.exists()


def test_keep_measures_the_machine_as_it_is(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BENCH_PAGE_REPORTING", "keep")
    with holding(folder) as note:
        assert values(folder) == FOUND
    assert "left on" in note


def test_a_knob_it_cannot_write_leaves_everything_as_it_was(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first knob was raised before the second refused: it is put back before the run."""
    refuse_writes_of(monkeypatch, "max_waiting_mib", None)
    with holding(folder) as note:
        assert values(folder) == FOUND
    assert "not held (max_waiting_mib: Permission denied" in note
    assert not (folder.parent / "saved.json").exists()


def test_a_knob_it_cannot_put_back_does_not_keep_the_other_held(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """And the values stay written down, for the next run to put back."""
    refuse_writes_of(monkeypatch, "max_waiting_mib", "1024")
    with holding(folder):
        pass
    assert values(folder)["min_free_ms"] == "0"
    assert json.loads((folder.parent / "saved.json").read_text()) == FOUND


def test_without_the_knob_or_reporting_nothing_changes_and_the_report_says_so(
    tmp_path: Path,
) -> None:
    only_order = tmp_path / "parameters"
    only_order.mkdir()
    (only_order / "page_reporting_order").write_text("9\n")
    with holding(only_order) as note:
        pass
    assert sorted(p.name for p in only_order.iterdir()) == ["page_reporting_order"]
    assert "not held" in note
    with holding(tmp_path / "absent") as note:
        pass
    assert note == "no free page reporting to a host"
