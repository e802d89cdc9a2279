"""Free page reporting: a virtual machine telling its host which memory it freed, so the
host can take it back. On the machine these benchmarks ran on, the guest kernel reports a
freed 2 MiB block at once (``min_free_ms`` 0), so every upload's 1 GiB of new page cache
(the store writing the parts) lands in memory the host must fault in again, and the
store's kernel time for copying into the page cache swung from 0.9 s to 4.8 s per GiB
from one upload to the next (perf: ``copy_folio_from_iter_atomic`` 5 % of the store's CPU
in a fast upload, 65 % in a slow one). Which upload drew the slow memory decided more of a
ratio than any uploader did.

``held()`` keeps freed memory with the guest for the length of a measurement, as
``pyperf system tune`` steadies a machine before benchmarks, and puts the setting back
afterwards. It needs root and this platform's ``min_free_ms`` knob; elsewhere it changes
nothing and says so. ``BENCH_PAGE_REPORTING=keep`` measures the machine as it is."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PARAMETERS = Path("/sys/module/page_reporting/parameters")
HOLD = {
    "min_free_ms": 300_000,  # longer than any one measurement: memory freed in it is reused hot
    "max_waiting_mib": 16_384,  # a 4 GiB upload frees 4 GiB of page cache; all of it waits
}


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


@contextmanager
def held(parameters: Path = PARAMETERS) -> Iterator[str]:
    """Hold reporting while the block runs; yields a sentence for the report."""
    order = _read(parameters / "page_reporting_order")
    if order is None:
        yield "no free page reporting to a host"
        return
    now = {name: _read(parameters / name) for name in HOLD}
    reporting = f"free page reporting to the host (blocks of order {order}"
    reporting += "".join(f", {name} {value}" for name, value in now.items() if value) + ")"
    if os.environ.get("BENCH_PAGE_REPORTING") == "keep":
        yield f"{reporting} left on (BENCH_PAGE_REPORTING=keep)"
        return
    raise_ = {
        name: value
        for name, value in now.items()
        if value is not None and value.isdigit() and int(value) < HOLD[name]
    }
    if "min_free_ms" not in raise_:
        held_already = now["min_free_ms"] is not None
        yield f"{reporting}, " + ("held already" if held_already else "not held (no min_free_ms)")
        return
    changed: dict[str, str] = {}
    for name, value in raise_.items():
        try:
            (parameters / name).write_text(str(HOLD[name]))
        except OSError as exc:
            _put_back(parameters, changed)
            yield f"{reporting}, not held ({name}: {exc.strerror or exc})"
            return
        changed[name] = value
    try:
        held_to = ", ".join(f"{name} {HOLD[name]}" for name in changed)
        yield f"{reporting} held for the run ({held_to}; put back after)"
    finally:
        _put_back(parameters, changed)


def _put_back(parameters: Path, values: dict[str, str]) -> None:
    for name, value in values.items():
        (parameters / name).write_text(value)
