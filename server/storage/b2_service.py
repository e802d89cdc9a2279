"""The one b2sdk boundary of the server: the storage interface over B2's native API.

Real Backblaze B2 and the embedded store are reached the same way; only the realm URL and
keys differ. b2sdk errors become StorageError/StorageUnavailable here and nowhere else.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from b2sdk.v2 import (
    B2Api,
    B2HttpApiConfig,
    Bucket,
    DownloadVersion,
    FileVersion,
    InMemoryAccountInfo,
)
from b2sdk.v2 import exception as b2_exceptions

from server.storage.base import (
    BrowserUploadTarget,
    ScopedUploadKey,
    StorageError,
    StorageUnavailable,
    StoredObject,
    UploadAllowance,
)
from shared import __version__

T = TypeVar("T")
# listBuckets lets bucket-scoped tools (Backblaze's `b2` among them) authorize with the key;
# the key still sees only its own bucket and prefix.
UPLOAD_CAPABILITIES = ["listBuckets", "writeFiles", "listFiles", "readFiles"]


@contextmanager
def storage_errors() -> Iterator[None]:
    """Translate b2sdk's errors; their text never carries keys or tokens."""
    try:
        yield
    except (
        b2_exceptions.B2ConnectionError,
        b2_exceptions.ServiceError,
        b2_exceptions.TooManyRequests,
    ) as exc:
        raise StorageUnavailable(f"storage did not answer ({type(exc).__name__})") from None
    except b2_exceptions.B2Error as exc:
        raise StorageError(f"storage refused the request ({type(exc).__name__})") from None


class B2StorageService:
    provider = "backblaze_b2"

    def __init__(
        self,
        realm: str,
        key_id: str,
        application_key: str,
        *,
        bucket_id: str | None,
        bucket_name: str | None,
        cdn_url: str | None,
        download_base: str | None = None,
        public_bucket: bool = False,
    ) -> None:
        self._realm = realm
        self._key_id = key_id
        self._application_key = application_key
        self._bucket_id = bucket_id
        self.bucket_name = bucket_name or ""
        self._cdn_url = cdn_url.rstrip("/") if cdn_url else None
        self._download_base = download_base
        self._public = public_bucket
        self._embedded = False
        self._api: B2Api | None = None
        self._bucket: Bucket | None = None
        self._lock = threading.Lock()
        self.recommended_part_size = 100 * 1000 * 1000

    def __repr__(self) -> str:
        return f"B2StorageService(realm={self._realm!r}, bucket={self.bucket_name!r})"

    @classmethod
    def for_embedded(cls, data_dir: Path, public_url: str, cdn_url: str | None) -> B2StorageService:
        from server.b2store.bootstrap import ensure_master_key
        from server.b2store.context import StoreContext

        master = ensure_master_key(StoreContext.open(data_dir, public_url))
        service = cls(
            public_url.rstrip("/"),
            master.key_id,
            master.application_key,
            bucket_id=master.bucket_id,
            bucket_name=master.bucket_name,
            cdn_url=cdn_url,
            public_bucket=True,
        )
        service._embedded = True
        return service

    @classmethod
    def from_settings(cls, settings: Any) -> B2StorageService:
        """Real B2; a BB_ENDPOINT given as an http(s) URL names another B2-native realm."""
        endpoint = getattr(settings, "bb_endpoint", None) or ""
        native = endpoint.startswith(("http://", "https://"))
        return cls(
            endpoint.rstrip("/") if native else "production",
            settings.bb_key_id,
            settings.bb_application_key,
            bucket_id=getattr(settings, "bb_bucket_id", None),
            bucket_name=None,
            cdn_url=getattr(settings, "cdn_url", None),
        )

    # -- plumbing ------------------------------------------------------------------------

    def api(self) -> B2Api:
        """Authorize on first use: the embedded store is served by this very process."""
        with self._lock:
            if self._api is None:
                api = B2Api(
                    InMemoryAccountInfo(),
                    api_config=B2HttpApiConfig(user_agent_append=f"ReelDrop-server/{__version__}"),
                )
                with storage_errors():
                    api.authorize_account(self._realm, self._key_id, self._application_key)
                    if self._bucket_id is None:
                        raise StorageError("BB_BUCKET_ID is not configured")
                    bucket = api.get_bucket_by_id(self._bucket_id)
                    if not self.bucket_name:
                        self.bucket_name = (
                            bucket.name or api.list_buckets(bucket_id=self._bucket_id)[0].name
                        )
                self._bucket = api.BUCKET_CLASS(api, self._bucket_id, name=self.bucket_name)
                self._api = api
                self.recommended_part_size = api.account_info.get_recommended_part_size()
            return self._api

    def _call(self, action: Callable[[B2Api], T]) -> T:
        api = self.api()
        with storage_errors():
            return action(api)

    def bucket(self) -> Bucket:
        """The bucket, looked up once at authorization: b2sdk's ``get_bucket_by_id`` asks
        ``b2_list_buckets`` on every call, a round trip (and a billed call on B2) before
        each check of an upload."""
        self.api()
        assert self._bucket is not None
        return self._bucket

    def _on_bucket(self, action: Callable[[Bucket], T]) -> T:
        bucket = self.bucket()
        with storage_errors():
            return action(bucket)

    # -- StorageService ------------------------------------------------------------------

    def create_upload_key(
        self, name_prefix: str, lifetime_seconds: int, allowance: UploadAllowance | None = None
    ) -> ScopedUploadKey:
        params: dict[str, Any] = {
            "capabilities": UPLOAD_CAPABILITIES,
            "keyName": f"reeldrop-upload-{datetime.now(UTC):%Y%m%d%H%M%S}",
            "validDurationInSeconds": lifetime_seconds,
            "bucketId": self._bucket_id,
            "namePrefix": name_prefix,
        }
        if self._embedded and allowance:  # the embedded store's caps (not part of B2)
            params["maxFileBytes"] = allowance.max_file_bytes
            params["maxTotalBytes"] = allowance.max_total_bytes
            params["quotaGroup"] = allowance.session

        def create(api: B2Api) -> dict[str, Any]:
            if "maxFileBytes" not in params:
                made = api.create_key(
                    capabilities=UPLOAD_CAPABILITIES,
                    key_name=params["keyName"],
                    valid_duration_seconds=lifetime_seconds,
                    bucket_id=self._bucket_id,
                    name_prefix=name_prefix,
                )
                return {
                    "applicationKeyId": made.id_,
                    "applicationKey": made.application_key,
                    "expirationTimestamp": made.expiration_timestamp_millis,
                }
            info = api.account_info  # b2sdk's create_key cannot pass the store's extension
            return dict(
                api.session.raw_api.b2_http.post_json_return_json(
                    f"{info.get_api_url()}/b2api/v3/b2_create_key",
                    {"Authorization": info.get_account_auth_token()},
                    {**params, "accountId": info.get_account_id()},
                )
            )

        key = self._call(create)
        expires_ms = key.get("expirationTimestamp")
        expires = (
            datetime.fromtimestamp(expires_ms / 1000, UTC)
            if expires_ms
            else datetime.now(UTC) + timedelta(seconds=lifetime_seconds)
        )
        return ScopedUploadKey(
            realm_url=self._realm_url(),
            key_id=key["applicationKeyId"],
            application_key=key["applicationKey"],
            bucket_name=self.bucket_name,
            bucket_id=str(self._bucket_id),
            name_prefix=name_prefix,
            expires_at=expires,
        )

    def _realm_url(self) -> str:
        return self._realm if self._realm.startswith("http") else "https://api.backblazeb2.com"

    def delete_key(self, key_id: str) -> None:
        try:
            self._call(lambda api: api.delete_key_by_id(key_id))
        except StorageError as exc:
            if isinstance(exc, StorageUnavailable):
                raise
            # Already gone (deleted earlier or expired): nothing left to revoke.

    def browser_upload_target(self, key: ScopedUploadKey) -> BrowserUploadTarget:
        """Authorized by the session's scoped key, never by the master key: the token can
        write nothing outside the key's prefix and dies with the key."""
        scoped = B2Api(
            InMemoryAccountInfo(),
            api_config=B2HttpApiConfig(user_agent_append=f"ReelDrop-server/{__version__}"),
        )
        with storage_errors():
            scoped.authorize_account(self._realm, key.key_id, key.application_key)
            answer = scoped.session.get_upload_url(key.bucket_id)
        return BrowserUploadTarget(answer["uploadUrl"], answer["authorizationToken"])

    def stat_object(self, storage_key: str) -> StoredObject | None:
        bucket = self.bucket()
        try:
            with storage_errors():
                version = bucket.get_file_info_by_name(storage_key)
        except StorageUnavailable:
            raise  # "not there" is for storage to say, never for its silence
        except StorageError:
            try:
                with storage_errors():
                    listed = list(bucket.ls(storage_key, latest_only=True, recursive=False))
            except StorageError:
                return None
            matches = [v for v, _ in listed if v is not None and v.file_name == storage_key]
            if not matches:
                return None
            version = matches[0]
        return _stored(storage_key, version)

    def head_object(self, storage_key: str, size: int) -> tuple[StoredObject, bytes] | None:
        buffer = io.BytesIO()

        def read(bucket: Bucket) -> DownloadVersion:
            downloaded = bucket.download_file_by_name(storage_key, range_=(0, size - 1))
            downloaded.save(buffer)
            return downloaded.download_version

        try:
            version = self._on_bucket(read)
        except StorageUnavailable:
            raise  # no store to ask: the lookups apart would only fail the same way, slower
        except StorageError:
            return None
        return _stored(storage_key, version), buffer.getvalue()

    def read_head(self, storage_key: str, size: int) -> bytes:
        buffer = io.BytesIO()
        self._on_bucket(
            lambda bucket: bucket.download_file_by_name(storage_key, range_=(0, size - 1)).save(
                buffer
            )
        )
        return buffer.getvalue()

    def download_to(self, storage_key: str, destination: Path) -> None:
        self._on_bucket(
            lambda bucket: bucket.download_file_by_name(storage_key).save_to(str(destination))
        )

    def cancel_unfinished_uploads(self, name_prefix: str) -> int:
        def cancel(bucket: Bucket) -> int:
            count = 0
            for unfinished in bucket.list_unfinished_large_files(prefix=name_prefix):
                bucket.api.cancel_large_file(unfinished.file_id)
                count += 1
            return count

        return self._on_bucket(cancel)

    def storage_url(self, storage_key: str) -> str:
        base = self._download_base or self.api().account_info.get_download_url()
        return f"{base}/file/{quote(self.bucket_name)}/{quote(storage_key)}"

    def cdn_url(self, storage_key: str) -> str:
        if self._cdn_url:
            return f"{self._cdn_url}/{quote(storage_key)}"
        return self.storage_url(storage_key)

    def authorized_download_url(self, storage_key: str, valid_seconds: int) -> str:
        url = self.storage_url(storage_key)
        if self._public:
            return url
        token = self._on_bucket(
            lambda bucket: bucket.get_download_authorization(storage_key, valid_seconds)
        )
        return f"{url}?Authorization={quote(token)}"

    def hide_object(self, storage_key: str) -> None:
        if self.stat_object(storage_key) is None:
            return  # never uploaded, or already hidden
        self._on_bucket(lambda bucket: bucket.hide_file(storage_key))

    def delete_object(self, storage_key: str) -> None:
        def delete(bucket: Bucket) -> None:
            for version, _ in bucket.ls(storage_key, latest_only=False, recursive=False):
                if version is not None and version.file_name == storage_key:
                    bucket.api.delete_file_version(version.id_, version.file_name)

        self._on_bucket(delete)


def _stored(storage_key: str, version: FileVersion | DownloadVersion) -> StoredObject:
    """A large file's SHA-1 is in its file info (``large_file_sha1``), when it was given."""
    sha1 = version.content_sha1
    if not sha1 or sha1 == "none":
        sha1 = (version.file_info or {}).get("large_file_sha1")
    return StoredObject(
        storage_key=storage_key,
        file_id=version.id_,
        size=version.size,
        sha1=sha1,
        content_type=version.content_type or "",
    )
