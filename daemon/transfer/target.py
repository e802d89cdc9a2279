"""Where one file goes: the scoped key and names from the server's ``initiate`` answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from shared.api_schemas import B2UploadKey


@dataclass(frozen=True)
class UploadTarget:
    realm_url: str
    key_id: str
    application_key: str = field(repr=False)
    bucket_name: str
    bucket_id: str
    name_prefix: str
    storage_key: str
    part_size: int
    expires_at: datetime

    @classmethod
    def from_key(cls, key: B2UploadKey, storage_key: str, part_size: int) -> UploadTarget:
        return cls(
            realm_url=key.realm_url,
            key_id=key.key_id,
            application_key=key.application_key,
            bucket_name=key.bucket_name,
            bucket_id=key.bucket_id,
            name_prefix=key.name_prefix,
            storage_key=storage_key,
            part_size=part_size,
            expires_at=key.expires_at,
        )
