"""b2sdk, unchanged, against the embedded store over real HTTP."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import httpx
import pytest
from b2sdk.v2 import AbstractProgressListener, B2Api, Bucket, InMemoryAccountInfo
from b2sdk.v2 import exception as b2_exceptions

from tests.storage.conftest import bytes_received, master_api, random_file
from tests.support.live_server import LiveServer, live_server

MIB = 1 << 20


def test_small_file_round_trip(bucket: Bucket, tmp_path: Path) -> None:
    src = random_file(tmp_path / "small.bin", 5000)
    version = bucket.upload_local_file(str(src), "videos/u/small.bin")
    assert version.size == 5000
    assert version.content_sha1 == hashlib.sha1(src.read_bytes()).hexdigest()
    bucket.download_file_by_name("videos/u/small.bin").save_to(str(tmp_path / "out"))
    assert (tmp_path / "out").read_bytes() == src.read_bytes()
    names = [v.file_name for v, _ in bucket.ls("videos/u/", recursive=True)]
    assert "videos/u/small.bin" in names


def test_large_file_goes_in_parts_and_comes_back_identical(
    store: LiveServer, api: B2Api, bucket: Bucket, tmp_path: Path
) -> None:
    src = random_file(tmp_path / "large.bin", 5 * MIB + 77)
    version = bucket.upload_local_file(str(src), "videos/u/large.bin")
    assert version.size == src.stat().st_size
    info = bucket.get_file_info_by_name("videos/u/large.bin")
    assert info.file_info["large_file_sha1"] == hashlib.sha1(src.read_bytes()).hexdigest()
    out = tmp_path / "out"
    bucket.download_file_by_name("videos/u/large.bin").save_to(str(out))
    assert out.read_bytes() == src.read_bytes()
    url = f"{store.url}/file/reeldrop-media/videos/u/large.bin"
    ranged = httpx.get(url, headers={"Range": f"bytes={3 * MIB}-{3 * MIB + 9}"})
    assert ranged.status_code == 206
    assert ranged.headers["content-range"] == f"bytes {3 * MIB}-{3 * MIB + 9}/{src.stat().st_size}"
    assert ranged.content == src.read_bytes()[3 * MIB : 3 * MIB + 10]
    assert httpx.get(url, headers={"Range": "bytes=99999999-"}).status_code == 416


def settled_parts(bucket: Bucket, file_id: str) -> int:
    """Stored part bytes once parts still in flight from the dead upload have landed."""
    import time

    last = -1
    while True:
        kept = sum(p.content_length for p in bucket.list_parts(file_id))
        if kept == last:
            return kept
        last = kept
        time.sleep(0.5)


class StopAfter(AbstractProgressListener):
    """Simulates a crash: the upload dies once this many bytes went out."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def set_total_bytes(self, total_byte_count: int) -> None:
        pass

    def bytes_completed(self, byte_count: int) -> None:
        if byte_count > self.limit:
            raise RuntimeError("connection lost")


def test_interrupted_large_file_resumes_sending_only_missing_parts(
    store: LiveServer, api: B2Api, bucket: Bucket, tmp_path: Path
) -> None:
    src = random_file(tmp_path / "resume.bin", 4 * MIB + 1000)
    one_at_a_time = B2Api(InMemoryAccountInfo(), max_upload_workers=1)
    one_at_a_time.authorize_account(
        store.url, api.account_info.get_application_key_id(), api.account_info.get_application_key()
    )
    sequential = Bucket(one_at_a_time, bucket.id_, name=bucket.name)
    with pytest.raises(Exception, match="connection lost"):
        sequential.upload_local_file(
            str(src), "videos/u/resume.bin", progress_listener=StopAfter(2 * MIB)
        )
    unfinished = [f for f in bucket.list_unfinished_large_files(prefix="videos/u/resume.bin")]
    assert len(unfinished) == 1
    kept = settled_parts(bucket, unfinished[0].file_id)
    assert kept > 0
    before = bytes_received(store, api)
    version = bucket.upload_local_file(str(src), "videos/u/resume.bin")
    sent = bytes_received(store, api) - before
    assert version.id_ == unfinished[0].file_id, "the same large file was continued"
    assert sent == src.stat().st_size - kept, "only the missing parts were sent again"


def restricted(
    store: LiveServer, api: B2Api, bucket: Bucket, prefix: str, seconds: int | None = None
) -> Bucket:
    key = api.create_key(
        capabilities=["writeFiles", "listFiles", "readFiles"],
        key_name="test-restricted",
        bucket_id=bucket.id_,
        name_prefix=prefix,
        valid_duration_seconds=seconds,
    )
    scoped = B2Api(InMemoryAccountInfo())
    scoped.authorize_account(store.url, key.id_, key.application_key)
    return Bucket(scoped, bucket.id_, name=bucket.name)


def test_restricted_key_is_held_to_its_prefix_and_bucket(
    store: LiveServer, api: B2Api, bucket: Bucket
) -> None:
    mine = restricted(store, api, bucket, "videos/alice/")
    mine.upload_bytes(b"ok", "videos/alice/a.txt")
    with pytest.raises(b2_exceptions.B2Error, match="restricted to names starting with"):
        mine.upload_bytes(b"no", "videos/bob/a.txt")
    with pytest.raises(b2_exceptions.B2Error):
        list(mine.ls("videos/bob/", recursive=True))
    with pytest.raises(b2_exceptions.B2Error):
        mine.api.list_buckets()
    other = Bucket(mine.api, "rdbktnotmine", name="not-mine")
    with pytest.raises(b2_exceptions.B2Error):
        other.upload_bytes(b"no", "videos/alice/b.txt")


def test_expired_and_deleted_keys_are_refused(
    store: LiveServer, api: B2Api, bucket: Bucket
) -> None:
    key = api.create_key(
        capabilities=["writeFiles"],
        key_name="short",
        bucket_id=bucket.id_,
        name_prefix="videos/x/",
        valid_duration_seconds=1,
    )
    import time

    time.sleep(1.2)  # the key's own lifetime is the behaviour under test
    with pytest.raises(b2_exceptions.B2Error):
        B2Api(InMemoryAccountInfo()).authorize_account(store.url, key.id_, key.application_key)
    alive = restricted(store, api, bucket, "videos/y/")
    api.delete_key_by_id(alive.api.account_info.get_application_key_id())
    with pytest.raises(b2_exceptions.B2Error):
        alive.upload_bytes(b"after delete", "videos/y/a.txt")


def test_wrong_sha1_is_refused_and_nothing_is_stored(
    store: LiveServer, api: B2Api, bucket: Bucket
) -> None:
    target = api.session.get_upload_url(bucket.id_)
    answer = httpx.post(
        target["uploadUrl"],
        content=b"hello",
        headers={
            "Authorization": target["authorizationToken"],
            "X-Bz-File-Name": "videos/u/bad.txt",
            "Content-Type": "text/plain",
            "X-Bz-Content-Sha1": "0" * 40,
        },
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "bad_request" and "sha1" in answer.json()["message"]
    at_end = httpx.post(
        target["uploadUrl"],
        content=b"hello" + hashlib.sha1(b"hello").hexdigest().encode(),
        headers={
            "Authorization": target["authorizationToken"],
            "X-Bz-File-Name": "videos/u/end.txt",
            "Content-Type": "text/plain",
            "X-Bz-Content-Sha1": "hex_digits_at_end",
        },
    )
    assert at_end.status_code == 200 and at_end.json()["contentLength"] == 5
    names = [v.file_name for v, _ in bucket.ls("videos/u/", recursive=True)]
    assert "videos/u/bad.txt" not in names and "videos/u/end.txt" in names


def test_parts_below_the_minimum_size_are_refused_at_finish(api: B2Api, bucket: Bucket) -> None:
    session = api.session
    file_id = session.start_large_file(bucket.id_, "videos/u/tiny-parts.bin", "b2/x-auto", {})[
        "fileId"
    ]
    sha1s = []
    for number in (1, 2):
        data = bytes([number]) * 1000
        target = session.get_upload_part_url(file_id)
        api.raw_api.upload_part(
            target["uploadUrl"],
            target["authorizationToken"],
            number,
            len(data),
            hashlib.sha1(data).hexdigest(),
            io.BytesIO(data),
        )
        sha1s.append(hashlib.sha1(data).hexdigest())
    with pytest.raises(b2_exceptions.B2Error, match="at least"):
        session.finish_large_file(file_id, sha1s)


def test_missing_content_length_is_refused(api: B2Api, bucket: Bucket) -> None:
    target = api.session.get_upload_url(bucket.id_)

    def body() -> object:
        yield b"streamed without a length"

    answer = httpx.post(
        target["uploadUrl"],
        content=body(),
        headers={
            "Authorization": target["authorizationToken"],
            "X-Bz-File-Name": "videos/u/nolen.txt",
            "Content-Type": "text/plain",
            "X-Bz-Content-Sha1": "do_not_verify",
        },
    )
    assert answer.status_code == 411


def test_restart_keeps_files_and_unfinished_large_files(tmp_path: Path) -> None:
    data_dir = tmp_path / "store"
    src = random_file(tmp_path / "keep.bin", 3 * MIB)
    with live_server(data_dir) as first:
        api = master_api(first)
        bucket = api.get_bucket_by_name("reeldrop-media")
        bucket.upload_local_file(str(src), "videos/u/kept.bin")
        with pytest.raises(Exception, match="connection lost"):
            bucket.upload_local_file(
                str(src), "videos/u/half.bin", progress_listener=StopAfter(MIB)
            )
    with live_server(data_dir) as second:
        api = master_api(second)
        bucket = api.get_bucket_by_name("reeldrop-media")
        out = tmp_path / "out"
        bucket.download_file_by_name("videos/u/kept.bin").save_to(str(out))
        assert out.read_bytes() == src.read_bytes()
        names = [f.file_name for f in bucket.list_unfinished_large_files()]
        assert names == ["videos/u/half.bin"]


@pytest.mark.parametrize("mode", ["fail_some_uploads", "expire_some_account_authorization_tokens"])
def test_b2sdk_completes_through_injected_faults(
    store: LiveServer, tmp_path: Path, mode: str
) -> None:
    import requests
    from b2sdk.v2 import B2HttpApiConfig

    def session() -> requests.Session:
        s = requests.Session()
        s.headers["X-Bz-Test-Mode"] = mode
        return s

    api = B2Api(InMemoryAccountInfo(), api_config=B2HttpApiConfig(http_session_factory=session))
    master = master_api(store)
    api.authorize_account(
        store.url,
        master.account_info.get_application_key_id(),
        master.account_info.get_application_key(),
    )
    bucket = api.get_bucket_by_name("reeldrop-media")
    src = random_file(tmp_path / "faults.bin", 4 * MIB + 5)
    version = bucket.upload_local_file(str(src), f"videos/u/{mode}.bin")
    assert version.size == src.stat().st_size


def test_cap_exceeded_is_reported_as_b2_does(store: LiveServer, api: B2Api, bucket: Bucket) -> None:
    target = api.session.get_upload_url(bucket.id_)
    answer = httpx.post(
        target["uploadUrl"],
        content=b"x",
        headers={
            "Authorization": target["authorizationToken"],
            "X-Bz-File-Name": "videos/u/cap.txt",
            "Content-Type": "text/plain",
            "X-Bz-Content-Sha1": "do_not_verify",
            "X-Bz-Test-Mode": "force_cap_exceeded",
        },
    )
    assert answer.status_code == 403 and answer.json()["code"] == "storage_cap_exceeded"
    error = b2_exceptions.interpret_b2_error(403, "storage_cap_exceeded", "", {})
    assert isinstance(error, b2_exceptions.StorageCapExceeded)


def test_private_bucket_downloads_need_authorization(store: LiveServer, api: B2Api) -> None:
    from server.b2store.models import Bucket as BucketRow

    ctx = store.app.state.b2store
    with ctx.factory() as db:
        if db.get(BucketRow, "rdprivate01") is None:
            db.add(
                BucketRow(
                    bucket_id="rdprivate01", name="reeldrop-private", bucket_type="allPrivate"
                )
            )
            db.commit()
    private = Bucket(api, "rdprivate01", name="reeldrop-private")
    private.upload_bytes(b"private lecture", "videos/p/a.mp4")
    private.upload_bytes(b"other", "other/b.mp4")
    url = f"{store.url}/file/reeldrop-private/videos/p/a.mp4"
    assert httpx.get(url).status_code == 401
    token = private.get_download_authorization("videos/p/", 60)
    assert httpx.get(url, params={"Authorization": token}).content == b"private lecture"
    outside = httpx.get(
        f"{store.url}/file/reeldrop-private/other/b.mp4", params={"Authorization": token}
    )
    assert outside.status_code == 401
    account_token = api.account_info.get_account_auth_token()
    assert httpx.get(url, headers={"Authorization": account_token}).status_code == 200
