"""Upload the way a ReelDrop client does: b2sdk with the scoped key from ``initiate``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from b2sdk.v2 import B2Api, Bucket, InMemoryAccountInfo

from daemon.transfer.target import UploadTarget
from shared.api_schemas import B2UploadKey


def scoped_bucket(key: dict[str, Any]) -> Bucket:
    api = B2Api(InMemoryAccountInfo())
    api.authorize_account(key["realmUrl"], key["keyId"], key["applicationKey"])
    return Bucket(api, key["bucketId"], name=key["bucketName"])


def upload_as_client(initiated: dict[str, Any], path: Path, part_size: int | None = None) -> Any:
    bucket = scoped_bucket(initiated["b2"])
    size = part_size or initiated["partSize"]
    return bucket.upload_local_file(
        str(path), initiated["storageKey"], min_part_size=min(size, 1 << 20)
    )


def master_api(server: Any) -> B2Api:
    """The store's own master key, to look at what the store holds (never a client's view)."""
    from server.b2store.bootstrap import storage_info

    info = storage_info(server.data_dir, server.url)
    api = B2Api(InMemoryAccountInfo())
    api.authorize_account(info["realmUrl"], info["keyId"], info["applicationKey"])
    return api


def bytes_received(server: Any, api: B2Api, target: str) -> int:
    """Bytes the store received for one large file (or ``ID#PART``), across all attempts."""
    import httpx

    answer = httpx.get(
        f"{server.url}/b2store/stats",
        headers={"Authorization": api.account_info.get_account_auth_token()},
        timeout=30,
    )
    return int(answer.json()["bytesReceived"].get(target, 0))


def server_part_size(server: Any) -> int:
    """The part size the server recommends (``CHUNK_SIZE_MB``); the daemon uses it when the
    store recommends smaller parts (as the tests' store does)."""
    import httpx

    policy = httpx.get(f"{server.url}/api/v1/media/policy", timeout=30).json()["data"]
    return int(policy["chunkSizeMb"]) * (1 << 20)


def initiate_body(path: Path, sha1: str) -> dict[str, Any]:
    """The ``initiate`` request the daemon sends for a video at ``path``."""
    return {
        "filename": path.name,
        "fileSize": path.stat().st_size,
        "contentType": "video/mp4",
        "contentSha1": sha1,
    }


def target_of(initiated: dict[str, Any]) -> UploadTarget:
    """The daemon's ``UploadTarget`` for an ``initiate`` answer's data."""
    return UploadTarget.from_key(
        B2UploadKey.model_validate(initiated["b2"]), initiated["storageKey"], initiated["partSize"]
    )
