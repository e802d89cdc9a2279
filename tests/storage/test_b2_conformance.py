"""The store answers as B2 does where clients depend on it (codes and shapes from B2 and from
b2sdk's own simulator): authorize per API version, unsupported calls, copy, headers, SHA-1."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import httpx
import pytest
from b2sdk.v2 import B2Api, Bucket
from b2sdk.v2 import exception as b2_exceptions

from server.b2store.access import SUPPORTED_CAPABILITIES
from server.b2store.bootstrap import storage_info
from tests.storage.conftest import random_file
from tests.support.live_server import LiveServer

MIB = 1 << 20


def _authorize(store: LiveServer, version: str) -> dict[str, object]:
    info = storage_info(store.data_dir, store.url)
    answer = httpx.get(
        f"{store.url}/b2api/{version}/b2_authorize_account",
        auth=(info["keyId"], info["applicationKey"]),
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_v1_and_v2_authorize_answer_the_flat_shape(store: LiveServer, version: str) -> None:
    body = _authorize(store, version)
    assert body["apiUrl"] == store.url and body["downloadUrl"] == store.url
    assert isinstance(body["recommendedPartSize"], int)
    assert isinstance(body["absoluteMinimumPartSize"], int)
    allowed = body["allowed"]
    assert isinstance(allowed, dict) and "capabilities" in allowed and "bucketId" in allowed
    assert "apiInfo" not in body


@pytest.mark.parametrize("version", ["v3", "v4"])
def test_v3_and_v4_authorize_answer_the_api_info_shape(store: LiveServer, version: str) -> None:
    body = _authorize(store, version)
    storage = body["apiInfo"]["storageApi"]  # type: ignore[index]
    assert storage["apiUrl"] == store.url and "buckets" in storage["allowed"]
    assert "apiUrl" not in body


def test_only_capabilities_the_store_acts_on_are_advertised(store: LiveServer, api: B2Api) -> None:
    advertised = set(_authorize(store, "v3")["apiInfo"]["storageApi"]["capabilities"])  # type: ignore[index]
    assert advertised <= SUPPORTED_CAPABILITIES
    # A key asking for more (as keys made before this rule, or by B2 tools, may) is still
    # advertised with only what the store acts on.
    key = api.create_key(
        ["writeFiles", "writeBuckets", "deleteBuckets", "writeFileRetentions"], "wide-key"
    )
    answer = httpx.get(
        f"{store.url}/b2api/v3/b2_authorize_account", auth=(key.id_, key.application_key)
    )
    assert answer.json()["apiInfo"]["storageApi"]["capabilities"] == ["writeFiles"]
    flat = httpx.get(
        f"{store.url}/b2api/v2/b2_authorize_account", auth=(key.id_, key.application_key)
    )
    assert flat.json()["allowed"]["capabilities"] == ["writeFiles"]


@pytest.mark.parametrize(
    "operation",
    ["b2_create_bucket", "b2_update_bucket", "b2_delete_bucket", "b2_update_file_retention"],
)
def test_unsupported_operations_are_named_in_a_b2_error(
    store: LiveServer, api: B2Api, operation: str
) -> None:
    answer = httpx.post(
        f"{store.url}/b2api/v3/{operation}",
        json={},
        headers={"Authorization": api.account_info.get_account_auth_token()},
    )
    body = answer.json()
    assert answer.status_code == 400 and set(body) == {"status", "code", "message"}
    assert operation in body["message"]
    error = b2_exceptions.interpret_b2_error(answer.status_code, body["code"], body["message"], {})
    assert not isinstance(error, b2_exceptions.FileNotPresent)


def test_get_on_an_api_endpoint_answers_in_b2_shape(store: LiveServer) -> None:
    answer = httpx.get(f"{store.url}/b2api/v3/b2_list_buckets")
    assert answer.status_code == 405
    assert answer.json()["code"] == "method_not_allowed"
    assert "b2_list_buckets" in answer.json()["message"]


def test_copy_file_renames_within_the_bucket(bucket: Bucket, tmp_path: Path) -> None:
    src = random_file(tmp_path / "a.bin", 300_000)
    original = bucket.upload_local_file(
        str(src), "videos/copy/a.bin", file_info={"b2-content-language": "de"}
    )
    copied = bucket.copy(original.id_, "videos/copy/b.bin")
    assert copied.file_name == "videos/copy/b.bin"
    out = tmp_path / "b.bin"
    bucket.download_file_by_name("videos/copy/b.bin").save_to(str(out))
    assert out.read_bytes() == src.read_bytes()
    part = bucket.copy(original.id_, "videos/copy/c.bin", offset=10, length=100)
    assert part.size == 100
    assert part.content_sha1 == hashlib.sha1(src.read_bytes()[10:110]).hexdigest()


def test_copy_part_builds_a_large_file_server_side(bucket: Bucket, tmp_path: Path) -> None:
    from b2sdk.v2 import CopySource, WriteIntent

    src = random_file(tmp_path / "big.bin", 3 * MIB)
    original = bucket.upload_local_file(str(src), "videos/copy/big.bin")
    intents = [
        WriteIntent(CopySource(original.id_, offset=0, length=2 * MIB), destination_offset=0),
        WriteIntent(
            CopySource(original.id_, offset=2 * MIB, length=MIB), destination_offset=2 * MIB
        ),
    ]
    bucket.create_file(intents, "videos/copy/joined.bin", min_part_size=MIB)
    out = tmp_path / "joined.bin"
    bucket.download_file_by_name("videos/copy/joined.bin").save_to(str(out))
    assert out.read_bytes() == src.read_bytes()


@pytest.mark.parametrize(
    "header",
    [
        {"X-Bz-Server-Side-Encryption": "AES256"},
        {"X-Bz-Server-Side-Encryption-Customer-Algorithm": "AES256"},
        {"X-Bz-File-Retention-Mode": "governance"},
    ],
)
def test_encryption_and_retention_on_upload_are_refused(
    api: B2Api, bucket: Bucket, header: dict[str, str]
) -> None:
    target = api.session.get_upload_url(bucket.id_)
    answer = httpx.post(
        target["uploadUrl"],
        content=b"secret",
        headers={
            "Authorization": target["authorizationToken"],
            "X-Bz-File-Name": "videos/u/sse.txt",
            "Content-Type": "text/plain",
            "X-Bz-Content-Sha1": hashlib.sha1(b"secret").hexdigest(),
            **header,
        },
    )
    assert answer.status_code == 400, answer.text
    assert "not supported" in answer.json()["message"]


def test_sse_b2_from_b2sdk_is_refused_not_ignored(bucket: Bucket) -> None:
    from b2sdk.v2 import SSE_B2_AES

    with pytest.raises(b2_exceptions.BadRequest, match="encryption"):
        bucket.upload_bytes(b"secret", "videos/u/sse-b2.txt", encryption=SSE_B2_AES)


def test_b2_file_info_comes_back_as_download_headers(store: LiveServer, bucket: Bucket) -> None:
    info = {
        "b2-content-disposition": 'attachment; filename="talk.mp4"',
        "b2-cache-control": "public, max-age=86400",
        "b2-expires": "Thu, 01 Dec 2044 16:00:00 GMT",
        "b2-content-encoding": "identity",
        "b2-content-language": "en-GB",
    }
    bucket.upload_bytes(b"hello", "videos/u/headers.txt", file_info=info)
    answer = httpx.get(f"{store.url}/file/{bucket.name}/videos/u/headers.txt")
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == info["b2-content-disposition"]
    assert answer.headers["cache-control"] == info["b2-cache-control"]
    assert answer.headers["expires"] == info["b2-expires"]
    assert answer.headers["content-encoding"] == "identity"
    assert answer.headers["content-language"] == "en-GB"
    bucket.upload_bytes(b"hello", "videos/u/plain.txt")
    plain = httpx.get(f"{store.url}/file/{bucket.name}/videos/u/plain.txt")
    assert plain.status_code == 200
    assert "cache-control" not in plain.headers


def test_do_not_verify_is_reported_unverified(api: B2Api, bucket: Bucket) -> None:
    data = os.urandom(1000)
    target = api.session.get_upload_url(bucket.id_)
    answer = httpx.post(
        target["uploadUrl"],
        content=data,
        headers={
            "Authorization": target["authorizationToken"],
            "X-Bz-File-Name": "videos/u/unverified.bin",
            "Content-Type": "application/octet-stream",
            "X-Bz-Content-Sha1": "do_not_verify",
        },
    )
    assert answer.status_code == 200, answer.text
    expected = "unverified:" + hashlib.sha1(data).hexdigest()
    assert answer.json()["contentSha1"] == expected
    version = bucket.get_file_info_by_name("videos/u/unverified.bin")
    assert version.content_sha1 == hashlib.sha1(data).hexdigest()
    assert version.content_sha1_verified is False
