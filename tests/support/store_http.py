"""A B2 client in plain HTTP for tests that need exact requests (no SDK retries)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Protocol

import httpx

from server.b2store.bootstrap import storage_info
from server.b2store.context import ACCOUNT_ID


class Served(Protocol):
    url: str
    data_dir: Path


class Store:
    """The B2 API of a running store, spoken over plain HTTP: with the master key, or
    (``with_key``) with a key made by it."""

    def __init__(self, server: Served, key: tuple[str, str] | None = None) -> None:
        info = storage_info(server.data_dir, server.url)
        key_id, secret = key or (info["keyId"], info["applicationKey"])
        answer = httpx.get(
            f"{server.url}/b2api/v3/b2_authorize_account", auth=(key_id, secret), timeout=60
        )
        assert answer.status_code == 200, answer.text
        self.server = server
        self.url, self.token = server.url, answer.json()["authorizationToken"]
        self.bucket_id, self.bucket = info["bucketId"], info["bucketName"]

    def with_key(self, **options: Any) -> Store:
        """A client using a new key of this bucket, made with ``options`` (b2_create_key)."""
        made = self.call(
            "b2_create_key",
            accountId=ACCOUNT_ID,
            keyName="test-key",
            bucketId=self.bucket_id,
            capabilities=["listBuckets", "writeFiles", "listFiles", "readFiles"],
            **options,
        )
        assert made.status_code == 200, made.text
        key = made.json()
        return Store(self.server, (key["applicationKeyId"], key["applicationKey"]))

    def call(self, operation: str, **body: Any) -> httpx.Response:
        return httpx.post(
            f"{self.url}/b2api/v3/{operation}",
            json=body,
            headers={"Authorization": self.token},
            timeout=60,
        )

    def start(self, name: str) -> str:
        answer = self.call(
            "b2_start_large_file", bucketId=self.bucket_id, fileName=name, contentType="b2/x-auto"
        )
        assert answer.status_code == 200, answer.text
        return str(answer.json()["fileId"])

    def part(self, file_id: str, number: int | str, data: bytes) -> httpx.Response:
        """Send part ``number`` (a header's text may be given as it is to be sent)."""
        target = self.call("b2_get_upload_part_url", fileId=file_id).json()
        return httpx.post(
            target["uploadUrl"],
            content=data,
            headers={
                "Authorization": target["authorizationToken"],
                "X-Bz-Part-Number": str(number).encode("latin-1"),
                "X-Bz-Content-Sha1": hashlib.sha1(data).hexdigest(),
            },
            timeout=60,
        )

    def upload(self, name: str, data: bytes) -> httpx.Response:
        target = self.call("b2_get_upload_url", bucketId=self.bucket_id).json()
        return httpx.post(
            target["uploadUrl"],
            content=data,
            headers={
                "Authorization": target["authorizationToken"],
                "X-Bz-File-Name": name,
                "Content-Type": "application/octet-stream",
                "X-Bz-Content-Sha1": hashlib.sha1(data).hexdigest(),
            },
            timeout=60,
        )

    def finish(self, file_id: str, parts: list[bytes]) -> httpx.Response:
        sha1s = [hashlib.sha1(p).hexdigest() for p in parts]
        return self.call("b2_finish_large_file", fileId=file_id, partSha1Array=sha1s)

    def download(self, name: str) -> httpx.Response:
        return httpx.get(f"{self.url}/file/{self.bucket}/{name}", timeout=60)

    def names(self) -> set[str]:
        answer = self.call("b2_list_file_names", bucketId=self.bucket_id, maxFileCount=1000)
        return {f["fileName"] for f in answer.json()["files"]}
