"""What upload headers and JSON bodies may ask for, and what downloads answer with.

Options the store does not implement (server-side encryption, retention, legal hold) are
refused: storing a file in plain text while the client believes it encrypted would lie.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, unquote

from server.b2store.errors import not_implemented
from server.b2store.models import FileVersion

UNVERIFIED = "unverified:"

_REFUSED_HEADERS = {
    "x-bz-server-side-encryption": "server-side encryption (SSE-B2)",
    "x-bz-server-side-encryption-customer-algorithm": "server-side encryption (SSE-C)",
    "x-bz-server-side-encryption-customer-key": "server-side encryption (SSE-C)",
    "x-bz-server-side-encryption-customer-key-md5": "server-side encryption (SSE-C)",
    "x-bz-file-retention-mode": "file retention",
    "x-bz-file-retention-retain-until-timestamp": "file retention",
}

_REFUSED_FIELDS = {
    "serverSideEncryption": "server-side encryption",
    "destinationServerSideEncryption": "server-side encryption",
    "sourceServerSideEncryption": "server-side encryption",
    "fileRetention": "file retention",
}

# File info names B2 turns into the matching response headers of a download. Without
# ``b2-cache-control`` a download carries no Cache-Control (as B2 without a bucket policy),
# so no cache keeps a deleted video for an hour.
DOWNLOAD_HEADERS = {
    "b2-content-disposition": "content-disposition",
    "b2-cache-control": "cache-control",
    "b2-expires": "expires",
    "b2-content-encoding": "content-encoding",
    "b2-content-language": "content-language",
}


def refuse_unsupported_headers(headers: Mapping[str, str]) -> None:
    for name, what in _REFUSED_HEADERS.items():
        if headers.get(name):
            raise not_implemented(what)
    hold = headers.get("x-bz-file-legal-hold")
    if hold and hold.lower() != "off":
        raise not_implemented("legal hold")


def refuse_unsupported_fields(body: Mapping[str, Any]) -> None:
    for name, what in _REFUSED_FIELDS.items():
        value = body.get(name)
        if value and not (isinstance(value, dict) and value.get("mode") in (None, "none")):
            raise not_implemented(what)
    hold = body.get("legalHold")
    if hold and str(hold).lower() != "off":
        raise not_implemented("legal hold")


def stored_sha1(declared: str, actual: str) -> str:
    """B2 keeps the SHA-1 of a ``do_not_verify`` upload, marked as unverified."""
    return UNVERIFIED + actual if declared == "do_not_verify" else actual


def file_info_from(headers: Mapping[str, str]) -> dict[str, str]:
    return {
        name[len("x-bz-info-") :]: unquote(value)
        for name, value in headers.items()
        if name.startswith("x-bz-info-")
    }


def download_headers(version: FileVersion) -> dict[str, str]:
    info = version.file_info or {}
    headers = {
        "x-bz-file-id": version.file_id,
        "x-bz-file-name": quote(version.name, safe="/"),
        "x-bz-content-sha1": version.sha1,
        "x-bz-upload-timestamp": str(version.upload_timestamp),
    }
    for name, value in info.items():
        headers[f"x-bz-info-{name}"] = quote(str(value), safe="")
    for name, header in DOWNLOAD_HEADERS.items():
        value = str(info.get(name) or "")
        if value and value.isprintable() and value.isascii():
            headers[header] = value
    return headers
