"""Authorization and application keys: b2_authorize_account, create/delete/list keys."""

from __future__ import annotations

import secrets
import time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.b2store.context import ACCOUNT_ID, MAX_PART, Json, StoreContext, hash_secret, require
from server.b2store.errors import B2Error, bad_request, unauthorized, whole_number
from server.b2store.models import Bucket, Key

# What the store acts on; other valid names may be put on a key but are never advertised.
SUPPORTED_CAPABILITIES = frozenset(
    {
        "listKeys",
        "writeKeys",
        "deleteKeys",
        "listBuckets",
        "listAllBucketNames",
        "readBuckets",
        "listFiles",
        "readFiles",
        "shareFiles",
        "writeFiles",
        "deleteFiles",
    }
)


# Names B2 knows that the store accepts on a key but does not act on (never advertised).
_ACCEPTED_ONLY = {
    "writeBuckets",
    "deleteBuckets",
    "readBucketEncryption",
    "writeBucketEncryption",
    "readBucketRetentions",
    "writeBucketRetentions",
    "readFileRetentions",
    "writeFileRetentions",
    "readFileLegalHolds",
    "writeFileLegalHolds",
    "bypassGovernance",
    "readBucketReplications",
    "writeBucketReplications",
    "readBucketNotifications",
    "writeBucketNotifications",
    "readBucketLogging",
    "writeBucketLogging",
}
VALID_CAPABILITIES = SUPPORTED_CAPABILITIES | _ACCEPTED_ONLY


def now_ms() -> int:
    return int(time.time() * 1000)


def live_key(db: Session, key_id: str) -> Key:
    key = db.get(Key, key_id)
    if key is None:
        raise B2Error(401, "bad_auth_token", "the application key behind this token was deleted")
    if key.expires_at_ms is not None and key.expires_at_ms <= now_ms():
        raise B2Error(401, "expired_auth_token", "the application key has expired")
    return key


def key_for_token(ctx: StoreContext, db: Session, token: str | None, kind: str = "account") -> Key:
    return live_key(db, ctx.signer.read(token, kind).key_id)


def advertised(capabilities: list[str]) -> list[str]:
    return [c for c in capabilities if c in SUPPORTED_CAPABILITIES]


def _allowed(db: Session, key: Key, version: int) -> dict[str, Any]:
    """B2's ``allowed``: v1/v2 name one bucket at the top, v3 and later list buckets."""
    bucket_name = None
    if key.bucket_id:
        bucket = db.get(Bucket, key.bucket_id)
        bucket_name = bucket.name if bucket else None
    allowed: dict[str, Any] = {
        "capabilities": advertised(list(key.capabilities)),
        "namePrefix": key.name_prefix,
    }
    if version < 3:
        allowed.update(bucketId=key.bucket_id, bucketName=bucket_name)
    else:
        allowed["buckets"] = [{"id": key.bucket_id, "name": bucket_name}] if key.bucket_id else None
    return allowed


def api_version(raw: str) -> int:
    """``v1`` .. ``v4``; anything else is refused in B2's shape."""
    if raw in ("v1", "v2", "v3", "v4"):
        return int(raw[1:])
    raise B2Error(404, "bad_request", f"API version {raw!r} is not supported (v1 to v4 are)")


def authorize(ctx: StoreContext, key_id: str, secret: str, version: int = 3) -> dict[str, Any]:
    with ctx.factory() as db:
        key = db.get(Key, key_id)
        if key is None or not secrets.compare_digest(key.secret_hash, hash_secret(secret)):
            raise unauthorized("application key id or key is not valid")
        if key.expires_at_ms is not None and key.expires_at_ms <= now_ms():
            raise unauthorized("the application key has expired")
        ttl = ctx.account_token_seconds
        if key.expires_at_ms is not None:
            ttl = min(ttl, key.expires_at_ms / 1000 - time.time())
        allowed = _allowed(db, key, version)
    urls = {
        "apiUrl": ctx.public_url,
        "downloadUrl": ctx.public_url,
        "s3ApiUrl": ctx.public_url,
        "recommendedPartSize": ctx.recommended_part_size,
        "absoluteMinimumPartSize": ctx.min_part_size,
        "allowed": allowed,
    }
    answer: dict[str, Any] = {
        "accountId": ACCOUNT_ID,
        "authorizationToken": ctx.signer.mint("account", key_id, "", ttl),
        "applicationKeyExpirationTimestamp": key.expires_at_ms,
    }
    if version < 3:
        # v1/v2 clients (rclone among them) read the URLs and part sizes at the top level.
        answer.update(urls, minimumPartSize=ctx.min_part_size)
        return answer
    storage = {
        **urls,
        "capabilities": allowed["capabilities"],
        "namePrefix": allowed["namePrefix"],
        "bucketId": key.bucket_id,
        "bucketName": allowed["buckets"][0]["name"] if allowed["buckets"] else None,
        "infoType": "storageApi",
        "maxPartSize": MAX_PART,
    }
    answer["apiInfo"] = {"storageApi": storage, "groupsApi": {}}
    return answer


def key_dict(key: Key) -> dict[str, Any]:
    return {
        "accountId": ACCOUNT_ID,
        "applicationKeyId": key.key_id,
        "keyName": key.name,
        # The key's own list, as created (b2sdk checks it); authorize advertises what acts.
        "capabilities": list(key.capabilities),
        "bucketId": key.bucket_id,
        "bucketIds": [key.bucket_id] if key.bucket_id else None,
        "namePrefix": key.name_prefix,
        "expirationTimestamp": key.expires_at_ms,
        "options": ["s3"],
    }


def create_key(ctx: StoreContext, token: str | None, body: Json) -> Json:
    capabilities = body.get("capabilities")
    name = body.get("keyName")
    if not isinstance(capabilities, list) or not capabilities:
        raise bad_request("capabilities must be a non-empty list")
    unknown = set(capabilities) - VALID_CAPABILITIES
    if unknown:
        raise bad_request(f"unknown capabilities: {sorted(unknown)}")
    if not isinstance(name, str) or not name or len(name) > 100:
        raise bad_request("keyName is required (at most 100 characters)")
    bucket_ids = body.get("bucketIds") or ([body["bucketId"]] if body.get("bucketId") else None)
    duration = body.get("validDurationInSeconds")
    if duration is not None and (not isinstance(duration, int) or not 1 <= duration <= 86400000):
        raise bad_request("validDurationInSeconds must be between 1 and 86,400,000")
    with ctx.factory() as db:
        creator = key_for_token(ctx, db, token)
        require(creator, "writeKeys")
        bucket_id = bucket_ids[0] if bucket_ids else None
        if bucket_id and db.get(Bucket, bucket_id) is None:
            raise bad_request(f"bucket {bucket_id} does not exist", "bad_bucket_id")
        if body.get("namePrefix") and not bucket_id:
            raise bad_request("namePrefix requires a bucket restriction")
        secret = "K" + secrets.token_urlsafe(24)
        key = Key(
            key_id="rd" + secrets.token_hex(11),
            secret_hash=hash_secret(secret),
            name=name,
            capabilities=list(capabilities),
            bucket_id=bucket_id,
            name_prefix=body.get("namePrefix") or None,
            expires_at_ms=now_ms() + duration * 1000 if duration else None,
            max_file_bytes=whole_number(body, "maxFileBytes", 0, 0, 10**13) or None,
            max_total_bytes=whole_number(body, "maxTotalBytes", 0, 0, 10**13) or None,
            quota_group=_quota_group(body.get("quotaGroup")),
        )
        db.add(key)
        db.commit()
        return {**key_dict(key), "applicationKey": secret}


def _quota_group(raw: Any) -> str | None:
    if raw in (None, ""):
        return None
    if not isinstance(raw, str) or len(raw) > 80:
        raise bad_request("quotaGroup must be a string of at most 80 characters")
    return raw


def delete_key(ctx: StoreContext, token: str | None, body: Json) -> Json:
    with ctx.factory() as db:
        creator = key_for_token(ctx, db, token)
        require(creator, "deleteKeys")
        key = db.get(Key, str(body.get("applicationKeyId", "")))
        if key is None or key.is_master:
            raise bad_request("application key does not exist", "bad_request")
        result = key_dict(key)
        db.delete(key)
        db.commit()
        return result


def list_keys(ctx: StoreContext, token: str | None, body: Json) -> Json:
    with ctx.factory() as db:
        require(key_for_token(ctx, db, token), "listKeys")
        start = str(body.get("startApplicationKeyId") or "")
        limit = whole_number(body, "maxKeyCount", 100, 1, 10000)
        keys = (
            db.execute(
                select(Key)
                .where(Key.key_id >= start, Key.is_master.is_(False))
                .order_by(Key.key_id)
                .limit(limit + 1)
            )
            .scalars()
            .all()
        )
        nxt = keys[limit].key_id if len(keys) > limit else None
        return {"keys": [key_dict(k) for k in keys[:limit]], "nextApplicationKeyId": nxt}


def get_download_authorization(ctx: StoreContext, token: str | None, body: Json) -> Json:
    """A token that reads names under a prefix of one bucket, for a limited time."""
    bucket_id = str(body.get("bucketId", ""))
    prefix = str(body.get("fileNamePrefix") or "")
    seconds = body.get("validDurationInSeconds")
    if not isinstance(seconds, int) or not 1 <= seconds <= 604800:
        raise bad_request("validDurationInSeconds must be between 1 and 604800")
    with ctx.factory() as db:
        key = key_for_token(ctx, db, token)
        if db.get(Bucket, bucket_id) is None:
            raise bad_request(f"invalid bucketId: {bucket_id}", "bad_bucket_id")
    require(key, "shareFiles", bucket_id=bucket_id, name=prefix)
    scope = f"{bucket_id}/{prefix}"
    return {
        "bucketId": bucket_id,
        "fileNamePrefix": prefix,
        "authorizationToken": ctx.signer.mint("download", key.key_id, scope, seconds),
    }
