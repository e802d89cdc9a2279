"""HTTP surface of the store: B2's JSON API, upload URLs and downloads (with Range)."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from server.b2store import access, buckets, copying, files, large_files, listing, testmode
from server.b2store.access import key_for_token
from server.b2store.context import MAX_PART, StoreContext, require
from server.b2store.download_safety import harden
from server.b2store.errors import B2Error, bad_request, unsupported
from server.b2store.headers import (
    download_headers,
    file_info_from,
    refuse_unsupported_headers,
    stored_sha1,
)
from server.b2store.models import Bucket, FileVersion
from server.b2store.pieces_response import PiecesResponse
from server.b2store.stats import UploadStats
from server.json_limits import BodyRefused, declared_length, parse_json, read_capped
from server.metrics import STORE_OPERATIONS
from server.receive_window import widen

Operation = Callable[[StoreContext, str | None, dict[str, Any]], dict[str, Any]]

OPERATIONS: dict[str, Operation] = {
    "b2_create_key": access.create_key,
    "b2_delete_key": access.delete_key,
    "b2_list_keys": access.list_keys,
    "b2_get_download_authorization": access.get_download_authorization,
    "b2_list_buckets": buckets.list_buckets,
    "b2_create_bucket": buckets.create_bucket,
    "b2_get_upload_url": files.get_upload_url,
    "b2_start_large_file": large_files.start_large_file,
    "b2_get_upload_part_url": large_files.get_upload_part_url,
    "b2_list_parts": large_files.list_parts,
    "b2_finish_large_file": large_files.finish_large_file,
    "b2_cancel_large_file": large_files.cancel_large_file,
    "b2_list_file_names": listing.list_file_names,
    "b2_list_file_versions": listing.list_file_versions,
    "b2_list_unfinished_large_files": listing.list_unfinished,
    "b2_get_file_info": listing.get_file_info,
    "b2_hide_file": listing.hide_file,
    "b2_delete_file_version": listing.delete_file_version,
    "b2_copy_file": copying.copy_file,
    "b2_copy_part": copying.copy_part,
}


def b2_error_response(exc: B2Error) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.status)


def counted(operation: str, response: Response) -> Response:
    """Count the call for the operator's metrics (unknown names under one label)."""
    STORE_OPERATIONS.labels(operation, str(response.status_code)).inc()
    return response


def _basic_credentials(header: str | None) -> tuple[str, str]:
    if not header or not header.lower().startswith("basic "):
        raise B2Error(
            401, "unauthorized", "Basic authorization with the key id and key is required"
        )
    try:
        key_id, secret = base64.b64decode(header[6:]).decode("utf-8").split(":", 1)
    except (ValueError, UnicodeDecodeError):
        raise B2Error(401, "unauthorized", "malformed Basic authorization") from None
    return key_id, secret


_DIGITS = re.compile(r"[0-9]{1,19}")  # str.isdigit() takes "²", which int() refuses


def _content_length(request: Request) -> int:
    raw = request.headers.get("content-length")
    if raw is None or not _DIGITS.fullmatch(raw):
        raise B2Error(411, "bad_request", "Content-Length is required")
    return int(raw)


def _payload(content_length: int, sha1: str) -> int:
    """The file's bytes in a body: all of it, less the 40 hex digits ``hex_digits_at_end``
    puts after them."""
    return max(0, content_length - 40) if sha1 == "hex_digits_at_end" else content_length


def _in_version(result: dict[str, Any], version: int) -> dict[str, Any]:
    """v1 listings name a file's length ``size`` (v1 clients such as rclone read that)."""
    if version == 1 and isinstance(result.get("files"), list):
        result["files"] = [{**f, "size": f.get("contentLength")} for f in result["files"]]
    return result


async def _json_body(request: Request) -> dict[str, Any]:
    """The capped, safely parsed JSON object of a B2 API call."""
    try:
        declared_length(request.headers.get("content-length"))
        body = parse_json(await read_capped(request.stream()))
    except BodyRefused as exc:
        code = "request_too_large" if exc.status == 413 else "bad_json"
        raise B2Error(exc.status, code, exc.message) from None
    if not isinstance(body, dict):
        raise bad_request("request body must be a JSON object", "bad_json")
    return body


def build_router(ctx: StoreContext, stats: UploadStats) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.api_route("/b2api/{version}/b2_authorize_account", methods=["GET", "POST"])
    def authorize(version: str, request: Request) -> Response:
        return counted("b2_authorize_account", _authorize(version, request))

    def _authorize(version: str, request: Request) -> Response:
        try:
            number = access.api_version(version)
            testmode.before_api_call(request.headers.get("x-bz-test-mode"), "b2_authorize_account")
            key_id, secret = _basic_credentials(request.headers.get("authorization"))
            return JSONResponse(access.authorize(ctx, key_id, secret, number))
        except B2Error as exc:
            return b2_error_response(exc)

    @router.get("/b2api/{version}/b2_download_file_by_id")
    @router.head("/b2api/{version}/b2_download_file_by_id")
    def download_by_id(version: str, request: Request, fileId: str = "") -> Response:
        try:
            with ctx.factory() as db:
                found = db.get(FileVersion, fileId)
            if found is None or found.action != "upload":
                raise B2Error(404, "not_found", f"file {fileId} is not present")
            return _serve(request, found)
        except B2Error as exc:
            return b2_error_response(exc)

    @router.get("/b2api/{version}/{operation}")
    def get_on_operation(version: str, operation: str) -> Response:
        return b2_error_response(
            B2Error(405, "method_not_allowed", f"{operation} takes POST with a JSON body, not GET")
        )

    @router.post("/b2api/{version}/{operation}")
    async def json_operation(version: str, operation: str, request: Request) -> Response:
        label = operation if operation in OPERATIONS else "unsupported"
        return counted(label, await _json_operation(version, operation, request))

    async def _json_operation(version: str, operation: str, request: Request) -> Response:
        handler = OPERATIONS.get(operation)
        if handler is None:
            return b2_error_response(unsupported(operation[:100]))
        try:
            number = access.api_version(version)
            testmode.before_api_call(request.headers.get("x-bz-test-mode"), operation)
            token = request.headers.get("authorization")
            ctx.signer.read(token, "account")  # authorized before a byte of the body is read
            body = await _json_body(request)
            from starlette.concurrency import run_in_threadpool

            result = await run_in_threadpool(handler, ctx, token, body)
            return JSONResponse(_in_version(result, number))
        except B2Error as exc:
            return b2_error_response(exc)

    @router.post("/b2store/upload/{bucket_id}")
    async def upload_file(bucket_id: str, request: Request) -> Response:
        return counted("b2_upload_file", await _upload_file(bucket_id, request))

    async def _upload_file(bucket_id: str, request: Request) -> Response:
        try:
            testmode.before_upload(request.headers.get("x-bz-test-mode"))
            key = await run_in_threadpool(
                files.upload_key, ctx, request.headers.get("authorization"), "upload", bucket_id
            )
            refuse_unsupported_headers(request.headers)
            name = files.check_name(unquote(request.headers.get("x-bz-file-name", "")))
            require(key, "writeFiles", bucket_id=bucket_id, name=name)
            length = _content_length(request)
            sha1 = request.headers.get("x-bz-content-sha1") or ""
            if not sha1:
                raise bad_request("X-Bz-Content-Sha1 is required")
            if length > MAX_PART + 40:  # 40: a SHA-1 sent as hex digits at the end
                raise bad_request("a single upload may not be larger than 5 GB")
            await run_in_threadpool(
                files.check_upload,
                ctx,
                key,
                name,
                length - 40 if sha1 == "hex_digits_at_end" else length,
            )
            info = file_info_from(request.headers)
            content_type = files.resolve_content_type(request.headers.get("content-type"), name)
            widen(request.scope)  # authorized and its size accepted: read it ahead
            tmp, size, actual = await ctx.blobs.receive(
                stats.counting(request.stream(), name, payload=_payload(length, sha1)),
                length,
                sha1,
            )
            try:
                kept = stored_sha1(sha1, actual)
                stored = await run_in_threadpool(
                    files.store_upload,
                    ctx,
                    key,
                    bucket_id,
                    name,
                    tmp,
                    size,
                    kept,
                    content_type,
                    info,
                )
            finally:
                tmp.unlink(missing_ok=True)  # already moved into place unless storing failed
            return JSONResponse(stored)
        except ClientDisconnect:
            return Response(status_code=400)  # nobody is left to read an answer
        except B2Error as exc:
            return b2_error_response(exc)

    @router.post("/b2store/upload_part/{file_id}")
    async def upload_part(file_id: str, request: Request) -> Response:
        return counted("b2_upload_part", await _upload_part(file_id, request))

    async def _upload_part(file_id: str, request: Request) -> Response:
        # Database work runs in worker threads: the event loop keeps reading every other
        # upload's body meanwhile (a part is one commit; with 5 MB parts, many commits).
        try:
            testmode.before_upload(request.headers.get("x-bz-test-mode"))
            key = await run_in_threadpool(
                files.upload_key, ctx, request.headers.get("authorization"), "part", file_id
            )
            refuse_unsupported_headers(request.headers)
            number_raw = request.headers.get("x-bz-part-number", "")
            if not _DIGITS.fullmatch(number_raw):
                raise bad_request("X-Bz-Part-Number is required")
            length = _content_length(request)
            sha1 = request.headers.get("x-bz-content-sha1") or ""
            if not sha1:
                raise bad_request("X-Bz-Content-Sha1 is required")
            data_length = length - 40 if sha1 == "hex_digits_at_end" else length
            await run_in_threadpool(
                large_files.check_part, ctx, key, file_id, int(number_raw), data_length
            )
            widen(request.scope)  # authorized and its size accepted: read it ahead
            tmp, size, actual = await ctx.blobs.receive(
                stats.counting(
                    request.stream(),
                    file_id,
                    f"{file_id}#{number_raw}",
                    payload=_payload(length, sha1),
                ),
                length,
                sha1,
            )
            try:
                stored = await run_in_threadpool(
                    large_files.store_part,
                    ctx,
                    key,
                    file_id,
                    int(number_raw),
                    tmp,
                    size,
                    stored_sha1(sha1, actual),
                )
            finally:
                tmp.unlink(missing_ok=True)  # already moved into place unless storing failed
            return JSONResponse(stored)
        except ClientDisconnect:
            return Response(status_code=400)  # nobody is left to read an answer
        except B2Error as exc:
            return b2_error_response(exc)

    @router.get("/file/{bucket_name}/{file_name:path}")
    @router.head("/file/{bucket_name}/{file_name:path}")
    def download_by_name(bucket_name: str, file_name: str, request: Request) -> Response:
        try:
            bucket = buckets.bucket_by_name(ctx, bucket_name)
            with ctx.factory() as db:
                from sqlalchemy import select

                found = db.execute(
                    select(FileVersion)
                    .where(
                        FileVersion.bucket_id == bucket.bucket_id,
                        FileVersion.name == file_name,
                        FileVersion.action.in_(("upload", "hide")),
                    )
                    .order_by(FileVersion.sequence.desc())
                    .limit(1)
                ).scalar_one_or_none()
            if found is None or found.action != "upload":
                raise B2Error(404, "not_found", f"file {file_name} is not present")
            return _serve(request, found, bucket)
        except B2Error as exc:
            return b2_error_response(exc)

    def _serve(request: Request, version: FileVersion, bucket: Bucket | None = None) -> Response:
        bucket = bucket or buckets.bucket_by_id(ctx, version.bucket_id)
        if bucket.bucket_type != "allPublic":
            token = request.headers.get("authorization") or request.query_params.get(
                "Authorization"
            )
            _authorize_download(token, version)
        pieces = ctx.blobs.segments(version.file_id)
        if pieces is None:
            raise B2Error(404, "not_found", "file data is missing")
        headers = harden(version.content_type, download_headers(version))
        return PiecesResponse(
            lambda first, end: ctx.blobs.read_range(pieces, first, end),
            sum(size for _path, size in pieces),
            version.content_type,
            headers,
            etag=version.file_id,
            refuse_range=_range_refused,
        )

    def _range_refused(size: int) -> Response:
        refused = b2_error_response(
            B2Error(416, "range_not_satisfiable", f"the file has {size} bytes")
        )
        refused.headers["content-range"] = f"bytes */{size}"
        return refused

    def _authorize_download(token: str | None, version: FileVersion) -> None:
        """An account token with readFiles, or a download token covering the name."""
        if token and "." in token:
            try:
                claims = ctx.signer.read(token, "download")
            except B2Error:
                claims = None
            if claims is not None:
                bucket_id, _, prefix = claims.scope.partition("/")
                if bucket_id != version.bucket_id or not version.name.startswith(prefix):
                    raise B2Error(401, "unauthorized", "download token does not cover this file")
                with ctx.factory() as db:
                    access.live_key(db, claims.key_id)
                return
        with ctx.factory() as db:
            key = key_for_token(ctx, db, token)
        require(key, "readFiles", bucket_id=version.bucket_id, name=version.name)

    @router.get("/b2store/stats")
    def upload_stats(request: Request) -> Response:
        try:
            with ctx.factory() as db:
                require(key_for_token(ctx, db, request.headers.get("authorization")), "writeKeys")
            return JSONResponse(stats.snapshot())
        except B2Error as exc:
            return b2_error_response(exc)

    return router
