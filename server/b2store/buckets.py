"""Buckets: the store has few, made at bootstrap; b2_list_buckets reads them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from server.b2store.access import key_for_token
from server.b2store.context import ACCOUNT_ID, Json, StoreContext, require
from server.b2store.errors import B2Error, bad_request, unsupported
from server.b2store.models import Bucket


def bucket_dict(bucket: Bucket) -> dict[str, Any]:
    return {
        "accountId": ACCOUNT_ID,
        "bucketId": bucket.bucket_id,
        "bucketName": bucket.name,
        "bucketType": bucket.bucket_type,
        "bucketInfo": {},
        "corsRules": [],
        "lifecycleRules": [],
        "options": ["s3"],
        "revision": bucket.revision,
        "defaultServerSideEncryption": {"isClientAuthorizedToRead": True, "value": {"mode": None}},
        "fileLockConfiguration": {
            "isClientAuthorizedToRead": True,
            "value": {
                "defaultRetention": {"mode": None, "period": None},
                "isFileLockEnabled": False,
            },
        },
        "replicationConfiguration": {"isClientAuthorizedToRead": True, "value": None},
    }


def list_buckets(ctx: StoreContext, token: str | None, body: Json) -> Json:
    with ctx.factory() as db:
        key = key_for_token(ctx, db, token)
        require(key, "listBuckets")
        query = select(Bucket).order_by(Bucket.name)
        if body.get("bucketId"):
            query = query.where(Bucket.bucket_id == body["bucketId"])
        if body.get("bucketName"):
            query = query.where(Bucket.name == body["bucketName"])
        if key.bucket_id:
            # A bucket-restricted key sees its own bucket and nothing else.
            query = query.where(Bucket.bucket_id == key.bucket_id)
        return {"buckets": [bucket_dict(b) for b in db.execute(query).scalars()]}


def create_bucket(ctx: StoreContext, token: str | None, body: Json) -> Json:
    """The store's buckets are made at bootstrap. Asking for one that exists answers as B2
    does (``duplicate_bucket_name``), which clients such as rclone take as "already there"."""
    with ctx.factory() as db:
        require(key_for_token(ctx, db, token), "listBuckets")
        name = str(body.get("bucketName") or "")
        if db.execute(select(Bucket).where(Bucket.name == name)).first() is not None:
            raise bad_request(f"bucket name {name} is already in use", "duplicate_bucket_name")
    raise unsupported("b2_create_bucket")


def bucket_by_id(ctx: StoreContext, bucket_id: str) -> Bucket:
    with ctx.factory() as db:
        bucket = db.get(Bucket, bucket_id)
    if bucket is None:
        raise bad_request(f"invalid bucketId: {bucket_id}", "bad_bucket_id")
    return bucket


def bucket_by_name(ctx: StoreContext, name: str) -> Bucket:
    with ctx.factory() as db:
        bucket = db.execute(select(Bucket).where(Bucket.name == name)).scalar_one_or_none()
    if bucket is None:
        raise B2Error(404, "not_found", f"bucket {name} does not exist")
    return bucket
