"""The store under attack: served content types, rejected and cut-off parts, temp files."""

from __future__ import annotations

import hashlib
import socket
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from b2sdk.v2 import B2Api

from server.b2store.context import MAX_PART
from tests.support.live_server import LiveServer, live_server

PAGE = b"<html><body><script>alert(document.cookie)</script></body></html>"


def temp_files(store: LiveServer) -> list[Path]:
    return [p for p in (store.data_dir / "b2store" / "blobs" / "tmp").iterdir() if p.is_file()]


def wait_until_no_temp_files(store: LiveServer) -> list[Path]:
    deadline = time.monotonic() + 90
    left = temp_files(store)
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = temp_files(store)
    return left


def test_pages_and_svg_are_attachments_and_nothing_is_sniffed(
    store: LiveServer, bucket: Any
) -> None:
    html = bucket.upload_bytes(
        PAGE,
        "xss/page.html",
        content_type="text/html",
        file_info={"b2-content-disposition": "inline"},
    )
    svg = bucket.upload_bytes(
        b"<svg onload='alert(1)'/>", "xss/a.svg", content_type="image/svg+xml"
    )
    video = bucket.upload_bytes(b"\x00\x00\x00\x18ftypmp42", "ok/v.mp4", content_type="video/mp4")
    for version in (html, svg):
        for url in (
            f"{store.url}/file/{bucket.name}/{version.file_name}",
            f"{store.url}/b2api/v3/b2_download_file_by_id?fileId={version.id_}",
        ):
            served = httpx.get(url, timeout=60)
            assert served.status_code == 200
            assert served.headers["x-content-type-options"] == "nosniff"
            assert served.headers["content-disposition"].startswith("attachment"), url
    shown = httpx.get(f"{store.url}/file/{bucket.name}/{video.file_name}", timeout=60)
    assert shown.headers["x-content-type-options"] == "nosniff"
    assert "content-disposition" not in shown.headers


def part_target(store: LiveServer, api: B2Api, bucket: Any) -> dict[str, Any]:
    token = api.account_info.get_account_auth_token()
    started = httpx.post(
        f"{store.url}/b2api/v3/b2_start_large_file",
        json={"bucketId": bucket.id_, "fileName": "parts/x.bin", "contentType": "b2/x-auto"},
        headers={"Authorization": token},
    ).json()
    return dict(
        httpx.post(
            f"{store.url}/b2api/v3/b2_get_upload_part_url",
            json={"fileId": started["fileId"]},
            headers={"Authorization": token},
        ).json()
    )


def send_part(target: dict[str, Any], number: str, body: bytes, sha1: str) -> httpx.Response:
    return httpx.post(
        target["uploadUrl"],
        content=body,
        headers={
            "Authorization": target["authorizationToken"],
            "X-Bz-Part-Number": number,
            "X-Bz-Content-Sha1": sha1,
        },
        timeout=60,
    )


def test_a_part_with_the_wrong_sha1_is_refused_and_leaves_nothing(
    store: LiveServer, api: B2Api, bucket: Any
) -> None:
    target = part_target(store, api, bucket)
    body = b"p" * 200_000
    wrong = send_part(target, "1", body, hashlib.sha1(b"other").hexdigest())
    assert wrong.status_code == 400, wrong.text
    listed = httpx.post(
        f"{store.url}/b2api/v3/b2_list_parts",
        json={"fileId": target["fileId"]},
        headers={"Authorization": api.account_info.get_account_auth_token()},
    ).json()
    assert listed["parts"] == []
    assert wait_until_no_temp_files(store) == []


def test_rejected_parts_leave_no_temp_files(store: LiveServer, api: B2Api, bucket: Any) -> None:
    target = part_target(store, api, bucket)
    body = b"q" * 100_000
    sha1 = hashlib.sha1(body).hexdigest()
    for number in ("0", "10001"):
        refused = send_part(target, number, body, sha1)
        assert refused.status_code == 400, refused.text
    assert wait_until_no_temp_files(store) == []


def raw_part(target: dict[str, Any], declared: int, sent: bytes) -> socket.socket:
    url = urlsplit(target["uploadUrl"])
    conn = socket.create_connection((url.hostname, url.port), timeout=60)
    head = (
        f"POST {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\n"
        f"Authorization: {target['authorizationToken']}\r\nX-Bz-Part-Number: 1\r\n"
        f"X-Bz-Content-Sha1: do_not_verify\r\nContent-Length: {declared}\r\n\r\n"
    )
    conn.sendall(head.encode() + sent)
    return conn


def test_an_oversized_part_is_refused_before_it_is_received(
    store: LiveServer, api: B2Api, bucket: Any
) -> None:
    target = part_target(store, api, bucket)
    with raw_part(target, MAX_PART + 1000, b"r" * 65536) as conn:
        status_line = conn.makefile("rb").readline().decode()
    assert status_line.split()[1] == "400", status_line
    assert wait_until_no_temp_files(store) == []


def test_a_client_killed_mid_part_leaves_no_temp_file(
    store: LiveServer, api: B2Api, bucket: Any
) -> None:
    target = part_target(store, api, bucket)
    conn = raw_part(target, 3_000_000, b"s" * 1_000_000)
    deadline = time.monotonic() + 60
    while not temp_files(store) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert temp_files(store), "the part never started arriving"
    conn.close()  # the client dies with two thirds of the part unsent
    assert wait_until_no_temp_files(store) == []


def test_stale_temp_files_are_swept_at_start(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with live_server(data):
        pass
    leftover = data / "b2store" / "blobs" / "tmp" / "cut-off-part"
    leftover.write_bytes(b"x" * 1000)
    links = data / "b2store" / "blobs" / "tmp" / "cut-off-finish"  # a finish's part links
    links.mkdir()
    (links / "00001").write_bytes(b"y" * 1000)
    with live_server(data) as again:
        assert temp_files(again) == []
        assert not list((data / "b2store" / "blobs" / "tmp").iterdir())
