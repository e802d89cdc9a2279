"""Upload the way a ReelDrop client does: b2sdk with the scoped key from ``initiate``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from b2sdk.v2 import B2Api, Bucket, InMemoryAccountInfo


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
