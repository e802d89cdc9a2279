"""The benchmarks hold the machine's free page reporting while they measure and always put
it back: a run that left it held would keep a virtual machine's freed memory from its host
after the benchmark, and one that did not hold it would let the host's page faults, not
the uploaders, decide the ratios. The kernel's parameters stand in a scratch directory:
the tests never change the real machine."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.page_reporting import HOLD, held


def parameters(tmp_path: Path, min_free_ms: str | None = "0") -> Path:
    folder = tmp_path / "parameters"
    folder.mkdir()
    (folder / "page_reporting_order").write_text("9\n")
    if min_free_ms is not None:
        (folder / "min_free_ms").write_text(f"{min_free_ms}\n")
        (folder / "max_waiting_mib").write_text("1024\n")
    return folder


def test_reporting_is_held_during_the_run_and_restored_after(tmp_path: Path) -> None:
    folder = parameters(tmp_path)
    with held(folder) as note:
        assert (folder / "min_free_ms").read_text() == str(HOLD["min_free_ms"])
        assert (folder / "max_waiting_mib").read_text() == str(HOLD["max_waiting_mib"])
        assert "held for the run" in note and "order 9" in note
    assert (folder / "min_free_ms").read_text().strip() == "0"
    assert (folder / "max_waiting_mib").read_text().strip() == "1024"


def test_a_failing_run_restores_it_too(tmp_path: Path) -> None:
    folder = parameters(tmp_path)
    with pytest.raises(RuntimeError), held(folder):
        raise RuntimeError("a benchmark failed")
    assert (folder / "min_free_ms").read_text().strip() == "0"
    assert (folder / "max_waiting_mib").read_text().strip() == "1024"


def test_keep_measures_the_machine_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = parameters(tmp_path)
    monkeypatch.setenv("BENCH_PAGE_REPORTING", "keep")
    with held(folder) as note:
        assert (folder / "min_free_ms").read_text().strip() == "0"
    assert "left on" in note


def test_a_knob_it_cannot_write_leaves_everything_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not root (a fake: CI runs as root, and root writes read-only files): the first knob
    was raised before the second refused, and is put back before the run starts."""
    folder = parameters(tmp_path)
    write_text = Path.write_text

    def refuse_second(path: Path, data: str, *args: object, **kwargs: object) -> int:
        if path.name == "max_waiting_mib":
            raise PermissionError(13, "Permission denied")
        return write_text(path, data)

    monkeypatch.setattr(Path, "write_text", refuse_second)
    with held(folder) as note:
        assert (folder / "min_free_ms").read_text().strip() == "0"
    assert "not held (max_waiting_mib: Permission denied" in note


def test_without_the_knob_or_reporting_nothing_changes_and_the_report_says_so(
    tmp_path: Path,
) -> None:
    folder = parameters(tmp_path, min_free_ms=None)
    with held(folder) as note:
        pass
    assert sorted(p.name for p in folder.iterdir()) == ["page_reporting_order"]
    assert "not held" in note
    with held(tmp_path / "absent") as note:
        pass
    assert note == "no free page reporting to a host"
