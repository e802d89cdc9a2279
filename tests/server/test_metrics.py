"""``/metrics`` in the Prometheus format: upload outcomes, processing, latency, the store."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.server.flows import uploaded_media
from tests.server.test_uploads import initiate
from tests.support.api import new_account
from tests.support.live_server import LiveServer, live_server


def scrape(url: str, **headers: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = httpx.get(f"{url}/metrics", headers=headers, timeout=60)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    values = {}
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            values[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return values


def total(
    values: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    wanted = set(labels.items())
    return sum(v for (n, ls), v in values.items() if n == name and wanted <= set(ls))


def processed(account: Any, media_id: str) -> str:
    """The media file's status once processing ended (or after two minutes)."""
    deadline = time.monotonic() + 120
    while True:
        status = str(account.get(f"/api/v1/media/media/{media_id}").json()["data"]["status"])
        if status in ("ready", "failed") or time.monotonic() > deadline:
            return status
        time.sleep(0.2)


def test_metrics_follow_an_upload_through_processing(
    sqlite_server: LiveServer, videos: dict[str, Path]
) -> None:
    before = scrape(sqlite_server.url)
    account = new_account(sqlite_server)
    media = uploaded_media(account, videos["mp4"])
    cancelled = initiate(account, videos["webm"])
    account.post(f"/api/v1/media/upload/cancel/{cancelled['sessionKey']}")
    processed(account, media["id"])
    after = scrape(sqlite_server.url)

    def grew(name: str, **labels: str) -> float:
        return total(after, name, **labels) - total(before, name, **labels)

    assert grew("reeldrop_uploads_initiated_total") == 2
    assert grew("reeldrop_uploads_completed_total") == 1
    assert grew("reeldrop_uploads_failed_total", reason="cancelled") == 1
    assert grew("reeldrop_processing_duration_seconds_count", outcome="ready") == 1
    assert grew("reeldrop_media_bytes_stored") == videos["mp4"].stat().st_size
    assert ("reeldrop_processing_queue_depth", (("state", "queued"),)) in after
    assert grew("reeldrop_store_bytes_received_total") >= videos["mp4"].stat().st_size
    assert (
        grew("reeldrop_store_operations_total", operation="b2_finish_large_file")
        + grew("reeldrop_store_operations_total", operation="b2_upload_file")
        >= 1
    )
    assert (
        grew(
            "reeldrop_http_request_duration_seconds_count",
            route="/api/v1/media/upload/complete",
            status="200",
        )
        == 1
    )


def test_expired_sessions_are_counted(sqlite_server: LiveServer, videos: dict[str, Path]) -> None:
    from server.db.models import UploadSession
    from server.db.types import utcnow

    account = new_account(sqlite_server)
    data = initiate(account, videos["mp4"])
    with sqlite_server.session_factory() as db:
        session = db.query(UploadSession).filter_by(session_key=data["sessionKey"]).one()
        session.expires_at = utcnow()
        db.commit()
    before = scrape(sqlite_server.url)
    account.get(f"/api/v1/media/upload/progress/{data['sessionKey']}")
    after = scrape(sqlite_server.url)
    assert (
        total(after, "reeldrop_uploads_expired_total")
        - total(before, "reeldrop_uploads_expired_total")
        == 1
    )


def test_metrics_need_the_token_when_one_is_set(tmp_path: Path) -> None:
    with live_server(tmp_path, env={"REELDROP_METRICS_TOKEN": "scrape-me-please"}) as live:
        assert httpx.get(f"{live.url}/metrics").status_code == 401
        wrong = httpx.get(f"{live.url}/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        assert scrape(live.url, Authorization="Bearer scrape-me-please")


def test_metrics_are_refused_to_callers_off_loopback(sqlite_server: LiveServer) -> None:
    from fastapi.testclient import TestClient

    client = TestClient(sqlite_server.app, client=("203.0.113.9", 5000))
    assert client.get("/metrics").status_code == 403


def test_checking_and_processing_an_upload_never_list_the_buckets(
    sqlite_server: LiveServer, videos: dict[str, Path]
) -> None:
    """The bucket is looked up once, when the server first authorizes: every upload's
    checks and its processing download go straight to the file (on B2 each lookup is a
    billed call and a round trip before the check)."""
    account = new_account(sqlite_server)
    uploaded_media(account, videos["webm"])  # the server has authorized by now
    before = scrape(sqlite_server.url)
    media = uploaded_media(account, videos["mp4"])
    status = processed(account, media["id"])
    after = scrape(sqlite_server.url)
    assert status == "ready"
    calls = {
        dict(labels)["operation"]: after[(name, labels)] - before.get((name, labels), 0)
        for name, labels in after
        if name == "reeldrop_store_operations_total"
    }
    assert calls.get("b2_list_buckets", 0) == 0, calls
