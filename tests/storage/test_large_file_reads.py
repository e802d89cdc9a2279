"""A finished large file is kept as its parts: over real HTTP it reads back as one file,
whole or any range of it, copies server-side like any other, and takes the room of its
bytes once (finishing writes nothing again)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.live_server import live_server
from tests.support.store_http import Store

MIB = 1 << 20
PARTS = [os.urandom(MIB + 3), os.urandom(MIB), os.urandom(1234)]  # tests' minimum part: 1 MiB
WHOLE = b"".join(PARTS)


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, str]]:
    with live_server(tmp_path_factory.mktemp("large-reads")) as live:
        store = Store(live)
        file_id = store.start("videos/u/three-parts.bin")
        for number, data in enumerate(PARTS, start=1):
            assert store.part(file_id, number, data).status_code == 200
        assert store.finish(file_id, PARTS).status_code == 200
        yield store, "videos/u/three-parts.bin"


def url(store: Store, name: str) -> str:
    return f"{store.url}/file/{store.bucket}/{name}"


def test_the_whole_file_reads_back_as_the_parts_in_order(finished: tuple[Store, str]) -> None:
    store, name = finished
    whole = store.download(name)
    assert whole.status_code == 200
    assert whole.headers["content-length"] == str(len(WHOLE))
    assert whole.content == WHOLE


@pytest.mark.parametrize(
    ("header", "first", "end"),
    [
        ("bytes=0-9", 0, 10),  # inside the first part
        (f"bytes={MIB}-{MIB + 9}", MIB, MIB + 10),  # across the first part's end
        (f"bytes=5-{len(WHOLE) - 6}", 5, len(WHOLE) - 5),  # across every part
        (f"bytes={2 * MIB + 3}-", 2 * MIB + 3, len(WHOLE)),  # the last part, open-ended
        ("bytes=-10", len(WHOLE) - 10, len(WHOLE)),  # the last ten bytes
        (f"bytes={len(WHOLE) - 1}-{len(WHOLE) + 99}", len(WHOLE) - 1, len(WHOLE)),
    ],
)
def test_a_range_reads_exactly_its_bytes_across_parts(
    finished: tuple[Store, str], header: str, first: int, end: int
) -> None:
    store, name = finished
    ranged = httpx.get(url(store, name), headers={"Range": header}, timeout=60)
    assert ranged.status_code == 206
    assert ranged.headers["content-range"] == f"bytes {first}-{end - 1}/{len(WHOLE)}"
    assert ranged.content == WHOLE[first:end]


def test_a_range_past_the_end_is_refused_and_head_sends_no_body(
    finished: tuple[Store, str],
) -> None:
    store, name = finished
    past = httpx.get(url(store, name), headers={"Range": f"bytes={len(WHOLE)}-"}, timeout=60)
    assert past.status_code == 416
    assert past.headers["content-range"] == f"bytes */{len(WHOLE)}"
    head = httpx.head(url(store, name), timeout=60)
    assert head.status_code == 200
    assert head.headers["content-length"] == str(len(WHOLE)) and head.content == b""


def test_a_server_side_copy_of_a_range_across_parts_is_exact(
    finished: tuple[Store, str],
) -> None:
    store, name = finished
    source = store.call("b2_get_file_info", fileId=file_id_of(store, name)).json()
    first, last = MIB - 100, 2 * MIB + 50
    copied = store.call(
        "b2_copy_file",
        sourceFileId=source["fileId"],
        fileName="videos/u/copied.bin",
        range=f"bytes={first}-{last}",
    )
    assert copied.status_code == 200, copied.text
    assert store.download("videos/u/copied.bin").content == WHOLE[first : last + 1]


def file_id_of(store: Store, name: str) -> str:
    listed = store.call("b2_list_file_names", bucketId=store.bucket_id, startFileName=name)
    return str(listed.json()["files"][0]["fileId"])


def disk_bytes(root: Path) -> int:
    """Blocks in use under ``root``, each file counted once however many names it has."""
    seen: dict[int, int] = {}
    for path in root.rglob("*"):
        info = path.lstat()
        if path.is_file():
            seen[info.st_ino] = info.st_blocks * 512
    return sum(seen.values())


def test_finishing_takes_no_more_room_than_the_parts(tmp_path: Path) -> None:
    with live_server(tmp_path / "server") as live:
        store = Store(live)
        blobs = tmp_path / "server" / "b2store" / "blobs"
        parts = [os.urandom(2 * MIB) for _ in range(3)]
        file_id = store.start("videos/u/room.bin")
        for number, data in enumerate(parts, start=1):
            assert store.part(file_id, number, data).status_code == 200
        before = disk_bytes(blobs)
        assert store.finish(file_id, parts).status_code == 200
        after = disk_bytes(blobs)
        assert before >= 6 * MIB
        assert after <= before + 64 * 1024, (before, after)
        assert store.download("videos/u/room.bin").content == b"".join(parts)


def test_a_resumed_download_of_a_replaced_file_gets_the_whole_new_file(
    finished: tuple[Store, str],
) -> None:
    """``If-Range`` naming another version's ETag: the whole file, never a mix of two."""
    store, name = finished
    whole = httpx.get(url(store, name), timeout=60)
    etag = whole.headers["etag"]
    same = httpx.get(
        url(store, name), headers={"Range": "bytes=10-19", "If-Range": etag}, timeout=60
    )
    assert same.status_code == 206 and same.content == WHOLE[10:20]
    other = httpx.get(
        url(store, name), headers={"Range": "bytes=10-19", "If-Range": '"4_zother"'}, timeout=60
    )
    assert other.status_code == 200 and other.content == WHOLE


def test_odd_range_headers_get_clear_answers(finished: tuple[Store, str]) -> None:
    store, name = finished
    upper = httpx.get(url(store, name), headers={"Range": "Bytes=0-4"}, timeout=60)
    assert upper.status_code == 206 and upper.content == WHOLE[:5]
    huge = httpx.get(url(store, name), headers={"Range": f"bytes={'9' * 5000}-"}, timeout=60)
    assert huge.status_code == 200 and huge.content == WHOLE, "an unreadable range is ignored"
    assert store.upload("videos/u/empty.bin", b"").status_code == 200
    empty = httpx.get(url(store, "videos/u/empty.bin"), headers={"Range": "bytes=-5"}, timeout=60)
    assert empty.status_code == 416
    assert empty.json()["code"] == "range_not_satisfiable"
    assert empty.headers["content-range"] == "bytes */0"
