"""Free page reporting: a virtual machine telling its host which memory it freed, so the
host can take it back. On the machine these benchmarks ran on, the guest kernel reports a
freed 2 MiB block at once (``min_free_ms`` 0), so every upload's 1 GiB of new page cache
(the store writing the parts) lands in memory the host must fault in again, and the
store's kernel time for copying into the page cache swung from 0.9 s to 4.8 s per GiB
from one upload to the next (perf: ``copy_folio_from_iter_atomic`` 5 % of the store's CPU
in a fast upload, 65 % in a slow one). Which upload drew the slow memory decided more of a
ratio than any uploader did.

``held()`` keeps freed memory with the guest for the length of a measurement, as
``pyperf system tune`` steadies a machine before benchmarks, and puts the settings back
afterwards: after an error, Ctrl-C or SIGTERM at once, and after a run killed outright
(SIGKILL, a reboot) at the start of the next run, from the values it wrote down before
changing anything. It needs root and this platform's ``min_free_ms`` knob; elsewhere it
changes nothing and says so. ``BENCH_PAGE_REPORTING=keep`` measures the machine as it is."""

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType

PARAMETERS = Path("/sys/module/page_reporting/parameters")
HOLD = {
    "min_free_ms": 300_000,  # longer than any one measurement: memory freed in it is reused hot
    "max_waiting_mib": 16_384,  # a 4 GiB upload frees 4 GiB of page cache; all of it waits
}
# The values found, kept while they are changed: a run that could not put them back
# leaves this file, and the next run puts them back first.
SAVED = Path(tempfile.gettempdir()) / "reeldrop-bench-page-reporting.json"


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def _put_back(parameters: Path, values: dict[str, str]) -> bool:
    """Write each value back (the last changed first); whether every one was."""
    done = True
    for name, value in reversed(values.items()):
        try:
            (parameters / name).write_text(value)
        except OSError as exc:
            print(f"bench: could not put back {name}={value}: {exc}", file=sys.stderr)
            done = False
    return done


def _recover(parameters: Path, saved: Path) -> None:
    """Put back what a killed run left changed."""
    try:
        values = json.loads(saved.read_text())
    except (OSError, ValueError):
        return
    if _put_back(parameters, values):
        saved.unlink(missing_ok=True)


@contextmanager
def _sigterm_as_exit() -> Iterator[None]:
    """SIGTERM (a CI timeout, ``kill``) ends the run through ``finally`` blocks."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def leave(signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    before = signal.signal(signal.SIGTERM, leave)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


@contextmanager
def held(parameters: Path = PARAMETERS, saved: Path = SAVED) -> Iterator[str]:
    """Hold reporting while the block runs; yields a sentence for the report."""
    _recover(parameters, saved)
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
    lower = {
        name: value
        for name, value in now.items()
        if value is not None and value.isdigit() and int(value) < HOLD[name]
    }
    if "min_free_ms" not in lower:
        found = now["min_free_ms"] is not None
        yield f"{reporting}, " + ("held already" if found else "not held (no min_free_ms)")
        return
    with _sigterm_as_exit():
        refused = _hold(parameters, saved, lower)
        if refused:
            yield f"{reporting}, not held ({refused})"
            return
        try:
            held_to = ", ".join(f"{name} {HOLD[name]}" for name in lower)
            yield f"{reporting} held for the run ({held_to}; put back after)"
        finally:
            if _put_back(parameters, lower):
                saved.unlink(missing_ok=True)


def _hold(parameters: Path, saved: Path, values: dict[str, str]) -> str | None:
    """Raise every knob in ``values`` (their present values), having written those down
    first; None, or why not (and then nothing stays changed)."""
    try:
        saved.write_text(json.dumps(values))
    except OSError as exc:
        return f"{saved}: {exc.strerror or exc}"
    changed: dict[str, str] = {}
    for name, value in values.items():
        try:
            (parameters / name).write_text(str(HOLD[name]))
        except OSError as exc:
            if _put_back(parameters, changed):
                with suppress(OSError):
                    saved.unlink()
            return f"{name}: {exc.strerror or exc}"
        changed[name] = value
    return None
