"""The storage interface the media API depends on.

Real Backblaze B2 and the embedded B2-compatible store are both reached through b2sdk
behind this one interface, so the API code never knows which one it talks to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol


class StorageError(Exception):
    """Storage could not do what was asked; the message is safe to show (no secrets)."""


class StorageUnavailable(StorageError):
    """Storage did not answer; the caller may retry later."""


@dataclass(frozen=True)
class ScopedUploadKey:
    """An application key limited to one bucket and one name prefix, for one uploader."""

    realm_url: str
    key_id: str
    application_key: str
    bucket_name: str
    bucket_id: str
    name_prefix: str
    expires_at: datetime


@dataclass(frozen=True)
class UploadAllowance:
    """What one upload session may store: no file larger than ``max_file_bytes``, and no more
    than ``max_total_bytes`` in all, across every key made for the session (``session``)."""

    session: str
    max_file_bytes: int
    max_total_bytes: int


@dataclass(frozen=True)
class BrowserUploadTarget:
    """A B2 upload URL and its authorization token (the design's uploadUrl/fields)."""

    upload_url: str
    authorization_token: str


@dataclass(frozen=True)
class StoredObject:
    """What storage knows about an uploaded object."""

    storage_key: str
    file_id: str
    size: int
    sha1: str | None
    content_type: str


class StorageService(Protocol):
    """Everything the media API needs from object storage."""

    provider: str
    bucket_name: str
    recommended_part_size: int

    def create_upload_key(
        self, name_prefix: str, lifetime_seconds: int, allowance: UploadAllowance | None = None
    ) -> ScopedUploadKey:
        """Create a key with writeFiles, listFiles, readFiles limited to ``name_prefix``;
        where storage can (the embedded store), it stores no more than ``allowance``."""
        ...

    def delete_key(self, key_id: str) -> None:
        """Delete a key; deleting a key that no longer exists is not an error."""
        ...

    def browser_upload_target(self, key: ScopedUploadKey) -> BrowserUploadTarget:
        """An upload URL and token for a single-request (non-b2sdk) client, authorized by
        the session's scoped ``key`` (so limited to its prefix and lifetime)."""
        ...

    def stat_object(self, storage_key: str) -> StoredObject | None:
        """The newest live version of ``storage_key``, or None when there is none;
        StorageUnavailable when storage did not answer."""
        ...

    def read_head(self, storage_key: str, size: int) -> bytes:
        """The object's first ``size`` bytes (fewer when it is shorter)."""
        ...

    def head_object(self, storage_key: str, size: int) -> tuple[StoredObject, bytes] | None:
        """``stat_object`` and ``read_head`` in one ranged read; None when that read found
        nothing or was refused (``stat_object`` and ``read_head`` then say why);
        StorageUnavailable when storage did not answer."""
        ...

    def download_to(self, storage_key: str, destination: Path) -> None:
        """Copy the object into a local file (server-side probing reads nothing else)."""
        ...

    def cancel_unfinished_uploads(self, name_prefix: str) -> int:
        """Cancel unfinished large files under ``name_prefix``; return how many."""
        ...

    def storage_url(self, storage_key: str) -> str:
        """The object's URL at the storage provider."""
        ...

    def cdn_url(self, storage_key: str) -> str:
        """The public delivery URL (``CDN_URL`` + key; embedded: the server's download route)."""
        ...

    def authorized_download_url(self, storage_key: str, valid_seconds: int) -> str:
        """A URL that reads the object for a limited time (used by server-side probing)."""
        ...

    def hide_object(self, storage_key: str) -> None:
        """Stop serving ``storage_key`` (B2 hide marker); hiding what is absent is no error."""
        ...

    def delete_object(self, storage_key: str) -> None:
        """Delete every version of ``storage_key``."""
        ...
