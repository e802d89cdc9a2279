"""``reeldrop doctor``: real daemon, real server, each check's verdict and fix, exit status."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from reeldrop.doctor import daemon_checks, system_checks
from shared.control.schemas import AccountView, JobError, JobView
from tests.support.api import PASSWORD, add_user
from tests.support.daemon import DaemonProcess
from tests.support.live_server import LiveServer, live_server
from tests.support.ports import free_port

NAMES = [
    "server", "signed-in", "b2-credentials", "ffprobe", "keyring", "watched-folders",
    "disk-space", "daemon",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("doctor-server"), run_background=True) as live:
        yield live


def doctor(daemon: DaemonProcess, *args: str, env: dict[str, str] | None = None) -> tuple[
    int, dict[str, Any]
]:
    result = subprocess.run(
        [sys.executable, "-m", "reeldrop", "doctor", "--json", *args],
        env={**daemon.env, **(env or {})}, capture_output=True, text=True, timeout=120,
    )
    assert "Traceback" not in result.stderr, result.stderr
    report = json.loads(result.stdout)
    return result.returncode, report


def by_name(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in report["checks"]}


@pytest.mark.slow
def test_nothing_running_fails_with_fixes(tmp_path: Path) -> None:
    code, report = doctor(DaemonProcess(tmp_path / "home"))
    assert code == 1 and report["ok"] is False
    assert [c["name"] for c in report["checks"]] == NAMES
    checks = by_name(report)
    assert checks["daemon"]["verdict"] == "fail"
    assert "reeldrop daemon" in checks["daemon"]["fix"]
    assert checks["server"]["verdict"] == "fail"
    assert "reeldrop login --server" in checks["server"]["fix"]
    assert checks["ffprobe"]["verdict"] == "ok"
    for check in report["checks"]:
        assert check["verdict"] in {"ok", "warn", "fail", "skip"}
        if check["verdict"] == "fail":
            assert check["fix"]


@pytest.mark.slow
def test_healthy_signed_in_daemon_passes_after_an_upload(
    server: LiveServer, tmp_path: Path, videos: dict[str, Path]
) -> None:
    daemon = DaemonProcess(tmp_path / "home").start()
    try:
        daemon.login(server.url, add_user(server), PASSWORD, "--insecure-storage")
        code, report = doctor(daemon)
        checks = by_name(report)
        assert checks["b2-credentials"]["verdict"] == "skip"
        assert checks["signed-in"]["verdict"] == "ok"
        job = daemon.client().add([str(videos["mp4"])])[0]
        assert daemon.wait_for_job(job.id).state == "done"
        code, report = doctor(daemon)
        checks = by_name(report)
        assert code == 0 and report["ok"] is True, report
        assert checks["daemon"]["verdict"] == "ok"
        assert checks["server"]["verdict"] == "ok"
        assert f"{server.url} reachable, version 0.1.0" in checks["server"]["detail"]
        assert checks["b2-credentials"]["verdict"] == "ok"
        assert checks["keyring"]["verdict"] == "warn"  # no keyring here: a private file
        assert "private file" in checks["keyring"]["detail"]
        human = subprocess.run(
            [sys.executable, "-m", "reeldrop", "doctor"],
            env=daemon.env, capture_output=True, text=True, timeout=120,
        )
        assert human.returncode == 0
        assert human.stdout.splitlines()[0].startswith("OK    server")
        assert "All checks passed." in human.stdout
    finally:
        daemon.stop()


@pytest.mark.slow
def test_unreachable_server_and_missing_ffprobe_fail(tmp_path: Path) -> None:
    daemon = DaemonProcess(tmp_path / "home")
    code, report = doctor(
        daemon, "--server", f"http://127.0.0.1:{free_port()}",
        env={"REELDROP_FFMPEG_DIR": str(tmp_path / "no-tools")},
    )
    checks = by_name(report)
    assert code == 1
    assert checks["server"]["verdict"] == "fail"
    assert "unreachable" in checks["server"]["detail"]
    assert checks["ffprobe"]["verdict"] == "fail"
    assert "REELDROP_FFMPEG_DIR" in checks["ffprobe"]["detail"]


def _tree(root: Path, dirs: int) -> Path:
    for i in range(dirs - 1):
        (root / f"week{i}").mkdir(parents=True)
    root.mkdir(exist_ok=True)
    return root


def test_watch_limit_against_the_folder_tree(tmp_path: Path) -> None:
    tree = _tree(tmp_path / "lectures", 6)
    limit = tmp_path / "max_user_watches"
    limit.write_text("4\n")
    over = system_checks.check_watch_limits([(tree, True)], platform="linux", limit_file=limit)
    assert over.verdict == "fail"
    assert "max_user_watches is 4" in over.detail
    assert "fs.inotify.max_user_watches" in (over.fix or "")
    flat = system_checks.check_watch_limits([(tree, False)], platform="linux", limit_file=limit)
    assert flat.verdict == "ok"
    limit.write_text("7\n")
    close = system_checks.check_watch_limits([(tree, True)], platform="linux", limit_file=limit)
    assert close.verdict == "warn"
    limit.write_text("524288\n")
    fine = system_checks.check_watch_limits([(tree, True)], platform="linux", limit_file=limit)
    assert fine.verdict == "ok" and "6 folder(s)" in fine.detail
    gone = system_checks.check_watch_limits(
        [(tmp_path / "unplugged", True)], platform="linux", limit_file=limit
    )
    assert gone.verdict == "fail" and "missing" in gone.detail
    mac = system_checks.check_watch_limits([(tree, True)], platform="darwin")
    assert mac.verdict == "ok"


def test_disk_space_thresholds(tmp_path: Path) -> None:
    assert system_checks.check_disk(tmp_path / "not-yet" / "data").verdict == "ok"
    low = system_checks.check_disk(tmp_path, low=1 << 62)
    assert low.verdict == "warn" and low.fix
    full = system_checks.check_disk(tmp_path, low=1 << 62, full=1 << 61)
    assert full.verdict == "fail"


class JobsOnly:
    """The daemon's answer to `jobs`, for the verdict logic alone."""

    def __init__(self, jobs: list[JobView]) -> None:
        self._jobs = jobs

    def jobs(self) -> list[JobView]:
        return self._jobs


def _job(state: str, minute: int, **extra: Any) -> JobView:
    at = datetime(2026, 1, 1, 12, minute, tzinfo=UTC)
    return JobView(
        id=f"j{minute}", path=f"/v/{minute}.mp4", filename=f"{minute}.mp4", state=state,
        created_at=at, updated_at=at, **extra,
    )


def test_storage_check_reports_the_last_storage_error() -> None:
    account = AccountView(signed_in=True, email="a@b.c", server_url="http://x")
    jobs = [
        _job("done", 1),
        _job("queued", 3, error=JobError(code="storage_unavailable",
                                         message="waiting for storage: 401 bad key")),
        _job("rejected", 4, error=JobError(code="too_short", message="too short")),
    ]
    facts = daemon_checks.DaemonFacts(JobsOnly(jobs), account, None, None, "file")  # type: ignore[arg-type]
    result = daemon_checks.check_storage_credentials(facts)
    assert result.verdict == "fail"
    assert "401 bad key" in result.detail and "BB_APPLICATION_KEY" in (result.fix or "")
    facts.client = JobsOnly([*jobs, _job("uploading", 5)])  # type: ignore[assignment]
    assert daemon_checks.check_storage_credentials(facts).verdict == "ok"
