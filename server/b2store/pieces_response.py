"""A stored file on the wire: whole, or one byte range of it, read piece by piece.

A stored file is one blob or a large file's parts (see blobs.py), so the download cannot be
one file handed to a generic file response. B2 serves a single ``Range`` (``bytes=a-b``,
``bytes=a-``, ``bytes=-n``); a header asking for several ranges, or one that does not
parse, is ignored as HTTP allows and the whole file is sent. Each version has an ETag (its
file id, which never names other bytes), so a resumed download whose ``If-Range`` names
another version gets the whole new file, never a mix of two."""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Mapping

import anyio
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

_SINGLE_RANGE = re.compile(r"\s*bytes\s*=\s*(\d{0,19})\s*-\s*(\d{0,19})\s*", re.IGNORECASE)


class RangeNotSatisfiable(Exception):
    """The range starts past the end of the file (answered 416)."""


def requested_range(header: str | None, size: int) -> tuple[int, int] | None:
    """``(first, end)`` with ``end`` exclusive for a single satisfiable range; None for no
    usable Range header (send it all)."""
    match = _SINGLE_RANGE.fullmatch(header or "")
    if match is None:
        return None
    first_text, last_text = match.groups()
    if not first_text:
        if not last_text:
            return None
        suffix = int(last_text)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable()
        return max(0, size - suffix), size
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if first >= size:
        raise RangeNotSatisfiable()
    if last < first:
        return None
    return first, min(last, size - 1) + 1


class PiecesResponse(Response):
    def __init__(
        self,
        chunks: Callable[[int, int], Generator[bytes, None, None]],
        size: int,
        media_type: str,
        headers: Mapping[str, str],
        *,
        etag: str,
        refuse_range: Callable[[int], Response],
    ) -> None:
        """``chunks(first, end)`` yields the stored bytes of that range in order;
        ``refuse_range(size)`` is the answer to a range past the end (416)."""
        self.chunks, self.size, self.refuse_range = chunks, size, refuse_range
        self.etag = f'"{etag}"'
        self.media_type = media_type
        self.background = None
        self.status_code = 200
        self.init_headers({**headers, "accept-ranges": "bytes", "etag": self.etag})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        head_only = scope.get("method", "GET").upper() == "HEAD"
        asked = Headers(scope=scope)
        if_range = asked.get("if-range")
        try:
            wanted = None
            if if_range is None or if_range.strip() == self.etag:
                wanted = requested_range(asked.get("range"), self.size)
        except RangeNotSatisfiable:
            await self.refuse_range(self.size)(scope, receive, send)
            return
        first, end = wanted or (0, self.size)
        headers = [(k, v) for k, v in self.raw_headers if k != b"content-length"]
        headers.append((b"content-length", str(end - first).encode()))
        status = 200
        if wanted is not None:
            status = 206
            headers.append((b"content-range", f"bytes {first}-{end - 1}/{self.size}".encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        if head_only or first == end:
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        async with anyio.create_task_group() as streaming:

            async def body() -> None:
                await self._send_body(send, first, end)
                streaming.cancel_scope.cancel()

            streaming.start_soon(body)
            while (await receive())["type"] != "http.disconnect":
                pass
            streaming.cancel_scope.cancel()  # the client left: read no further

    async def _send_body(self, send: Send, first: int, end: int) -> None:
        pieces = self.chunks(first, end)
        try:
            while (chunk := await run_in_threadpool(next, pieces, b"")) != b"":
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            pieces.close()
