"""The raw baseline: the same bytes sent to the store with plain HTTP requests (B2's native
API, no SDK), parts in parallel, each part's SHA-1 computed while it is sent
(``hex_digits_at_end``). Every other uploader is measured as a ratio to this one."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import queue
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

BLOCK = 1 << 20


@dataclass(frozen=True)
class Account:
    api_url: str
    token: str
    recommended_part_size: int


def _connection(url: str) -> tuple[http.client.HTTPConnection, str]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=300)
    return conn, parts.path + (f"?{parts.query}" if parts.query else "")


def call(
    url: str, token: str, body: dict[str, Any] | None = None, method: str = "POST"
) -> dict[str, Any]:
    conn, path = _connection(url)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, body=payload, headers={"Authorization": token})
        answer = conn.getresponse()
        data = answer.read()
        if answer.status != 200:
            raise RuntimeError(f"{path}: {answer.status} {data[:300]!r}")
        return dict(json.loads(data))
    finally:
        conn.close()


def authorize(realm: str, key_id: str, key: str) -> Account:
    basic = "Basic " + base64.b64encode(f"{key_id}:{key}".encode()).decode()
    data = call(f"{realm}/b2api/v3/b2_authorize_account", basic, method="GET")
    storage = data["apiInfo"]["storageApi"]
    return Account(storage["apiUrl"], data["authorizationToken"], storage["recommendedPartSize"])


def send_part(
    conn: http.client.HTTPConnection,
    path: str,
    headers: dict[str, str],
    fd: int,
    offset: int,
    length: int,
) -> tuple[str, bytes]:
    """POST ``length`` bytes of ``fd`` from ``offset`` with their SHA-1 as the last 40 bytes."""
    digest = hashlib.sha1()
    conn.putrequest("POST", path, skip_accept_encoding=True)
    for name, value in {**headers, "Content-Length": str(length + 40)}.items():
        conn.putheader(name, value)
    conn.putheader("X-Bz-Content-Sha1", "hex_digits_at_end")
    conn.endheaders()
    buffer = bytearray(BLOCK)
    view = memoryview(buffer)
    done = 0
    while done < length:
        n = os.preadv(fd, [view[: min(BLOCK, length - done)]], offset + done)
        if n <= 0:
            raise OSError("the file is shorter than expected")
        digest.update(view[:n])
        conn.send(view[:n])
        done += n
    sha1 = digest.hexdigest()
    conn.send(sha1.encode())
    answer = conn.getresponse()
    return sha1, answer.read() if answer.status == 200 else _fail(answer)


def _fail(answer: http.client.HTTPResponse) -> bytes:
    raise RuntimeError(f"part refused: {answer.status} {answer.read()[:300]!r}")


def upload_parts(
    path: Path, part_size: int, workers: int, part_url: Any, fd: int | None = None
) -> list[str]:
    """Send every part of ``path``; ``part_url()`` gives each worker (url, token)."""
    size = path.stat().st_size
    count = max(1, -(-size // part_size))
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for number in range(1, count + 1):
        todo.put(number)
    sha1s: dict[int, str] = {}
    errors: list[BaseException] = []
    own = fd is None
    handle = os.open(path, os.O_RDONLY) if fd is None else fd

    def worker() -> None:
        try:
            url, token = part_url()
            conn, request_path = _connection(url)
            while not errors:
                try:
                    number = todo.get_nowait()
                except queue.Empty:
                    break
                offset = (number - 1) * part_size
                length = min(part_size, size - offset)
                headers = {"Authorization": token, "X-Bz-Part-Number": str(number)}
                sha1s[number], _ = send_part(conn, request_path, headers, handle, offset, length)
            conn.close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(min(workers, count))]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        if own:
            os.close(handle)
    if errors:
        raise errors[0]
    return [sha1s[n] for n in range(1, count + 1)]


def upload(
    realm: str,
    key_id: str,
    key: str,
    bucket_id: str,
    path: Path,
    name: str,
    *,
    part_size: int | None = None,
    workers: int = 4,
) -> str:
    """Upload ``path`` as a large file; returns its file id."""
    account = authorize(realm, key_id, key)
    api = f"{account.api_url}/b2api/v3"
    started = call(
        f"{api}/b2_start_large_file",
        account.token,
        {"bucketId": bucket_id, "fileName": name, "contentType": "video/mp4"},
    )
    file_id = str(started["fileId"])

    def part_url() -> tuple[str, str]:
        answer = call(f"{api}/b2_get_upload_part_url", account.token, {"fileId": file_id})
        return answer["uploadUrl"], answer["authorizationToken"]

    size = path.stat().st_size
    # A large file needs two parts at least: small benchmark files get smaller parts.
    part = min(part_size or account.recommended_part_size, max(5 * 1000 * 1000, -(-size // 2)))
    sha1s = upload_parts(path, part, workers, part_url)
    call(
        f"{api}/b2_finish_large_file",
        account.token,
        {"fileId": file_id, "partSha1Array": sha1s},
    )
    return file_id


def main(argv: list[str]) -> None:
    """The raw baseline as a command, timed as the peers' commands are: its interpreter's
    start, imports and exit count (the whole uploader starts cold; ``reeldrop upload``
    starts only its thin command, its daemon being up already). The key comes in the
    environment (RAW_B2_KEY_ID, RAW_B2_KEY), never on the command line."""
    realm, bucket_id, path, name, part_size, workers = argv
    upload(
        realm,
        os.environ["RAW_B2_KEY_ID"],
        os.environ["RAW_B2_KEY"],
        bucket_id,
        Path(path),
        name,
        part_size=int(part_size),
        workers=int(workers),
    )


if __name__ == "__main__":
    main(sys.argv[1:])
