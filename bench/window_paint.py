"""The window: time from starting a process to the window's first paint, and the time to
apply 1,000 job updates to a 10,000-row uploads table (through the bridge's signal, as
daemon events arrive), the view repainted. Each measurement runs in a fresh process
(offscreen Qt). ``python -m bench.window_paint`` prints both rows."""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from typing import Any

ROWS, UPDATES = 10_000, 1_000


def _app() -> tuple[Any, Any]:
    from PySide6.QtWidgets import QApplication

    from desktop.app import DesktopApp
    from desktop.bridge import DaemonBridge

    qt = QApplication.instance() or QApplication([sys.argv[0]])
    # REELDROP_HOME is empty and no daemon runs: the window shows itself as a user first
    # sees it, waiting to connect.
    desktop = DesktopApp(DaemonBridge(delays=(30.0,)), use_tray=False)
    return qt, desktop


def child_first_paint() -> None:
    from PySide6.QtCore import QEvent, QObject

    qt, desktop = _app()

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                print(f"painted {time.time():.6f}", flush=True)
                qt.quit()
            return False

    spy = FirstPaint()
    desktop.window.installEventFilter(spy)
    desktop.start()
    qt.exec()
    desktop.stop()


def _job(n: int, sent: int) -> Any:
    from shared.control.schemas import JobView
    from shared.control.states import JobState

    now = datetime.now(UTC)
    return JobView(
        id=f"job-{n:05d}",
        path=f"/lectures/week-{n // 100}/lecture-{n}.mp4",
        filename=f"lecture-{n}.mp4",
        state=JobState.UPLOADING if n % 3 else JobState.DONE,
        bytes_sent=sent,
        total_bytes=1_000_000_000,
        speed_bps=20e6,
        eta_seconds=60,
        created_at=now,
        updated_at=now,
    )


def child_updates() -> None:
    qt, desktop = _app()
    window = desktop.window
    window.show()
    window.show_page(window.uploads)
    window.jobs_model.reset_jobs([_job(n, 0) for n in range(ROWS)])
    qt.processEvents()
    window.repaint()
    rng = random.Random(13)
    updates = [_job(rng.randrange(ROWS), rng.randrange(1_000_000_000)) for _ in range(UPDATES)]
    start = time.perf_counter()
    for job in updates:
        desktop.bridge.jobChanged.emit(job)
    qt.processEvents()
    window.repaint()
    print(f"updates {time.perf_counter() - start:.6f}", flush=True)


def _child(mode: str) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "REELDROP_HOME": home}
        started = time.time()
        out = subprocess.run(
            [sys.executable, "-m", "bench.window_paint", mode],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    for line in out.stdout.splitlines():
        word, _, value = line.partition(" ")
        if word in ("painted", "updates"):
            return started, float(value)
    raise RuntimeError(f"the window did not report: {out.stderr[-600:]}")


def rows(runs: int = 5) -> list[str]:
    paints = []
    for _ in range(runs):
        started, painted = _child("paint")
        paints.append(painted - started)
    updates = [_child("updates")[1] for _ in range(runs)]
    return [
        f"| window: from starting the process to the first paint (offscreen Qt), median of "
        f"{runs} | {statistics.median(paints):.2f} s |",
        f"| {UPDATES:,} job updates applied to a {ROWS:,}-row uploads table, view repainted, "
        f"median of {runs} | {statistics.median(updates) * 1000:.0f} ms |",
    ]


if __name__ == "__main__":
    if sys.argv[1:] == ["paint"]:
        child_first_paint()
    elif sys.argv[1:] == ["updates"]:
        child_updates()
    else:
        print("\n".join(rows()))
