"""Malformed B2 calls get B2's 400 error body, never a 500."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from b2sdk.v2 import B2Api

from tests.support.live_server import LiveServer
from tests.support.store_http import Store


def call(store: LiveServer, api: B2Api, operation: str, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(
        f"{store.url}/b2api/v3/{operation}",
        content=json.dumps(body).encode("ascii"),  # lone surrogates travel as \ud800 escapes
        headers={"Authorization": api.account_info.get_account_auth_token()},
        timeout=60,
    )


def started_file(store: LiveServer, api: B2Api, bucket: Any) -> str:
    answer = call(
        store,
        api,
        "b2_start_large_file",
        {"bucketId": bucket.id_, "fileName": "bad-input/large.bin", "contentType": "b2/x-auto"},
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["fileId"])


BAD_CALLS = [
    ("b2_list_parts", {"maxPartCount": "abc"}),
    ("b2_list_parts", {"startPartNumber": [1]}),
    ("b2_list_parts", {"startPartNumber": True}),
    ("b2_list_file_names", {"maxFileCount": "abc"}),
    ("b2_list_file_names", {"delimiter": 5}),
    ("b2_list_file_names", {"prefix": "\ud800"}),
    ("b2_list_file_versions", {"maxFileCount": {"n": 1}}),
    ("b2_list_unfinished_large_files", {"maxFileCount": "x"}),
    ("b2_start_large_file", {"fileName": "lone-\ud800-surrogate", "contentType": "b2/x-auto"}),
    ("b2_hide_file", {"fileName": "lone-\udfff-surrogate"}),
    ("b2_list_keys", {"maxKeyCount": "many"}),
]


@pytest.mark.parametrize(("operation", "extra"), BAD_CALLS)
def test_bad_parameters_are_400_with_b2s_error_body(
    store: LiveServer, api: B2Api, bucket: Any, operation: str, extra: dict[str, Any]
) -> None:
    body: dict[str, Any] = {"bucketId": bucket.id_, **extra}
    if operation == "b2_list_parts":
        body["fileId"] = started_file(store, api, bucket)
    answer = call(store, api, operation, body)
    assert answer.status_code == 400, answer.text
    error = answer.json()
    assert error["status"] == 400 and error["code"] and error["message"]


@pytest.mark.parametrize("number", ["\u00b2", "\u00b9", "-1", "1e3"])
def test_a_part_number_that_is_not_plain_digits_is_400(
    store: LiveServer, api: B2Api, bucket: Any, number: str
) -> None:
    answer = Store(store).part(started_file(store, api, bucket), number, b"x" * 10)
    assert answer.status_code == 400, answer.text
    assert "X-Bz-Part-Number" in answer.json()["message"]
