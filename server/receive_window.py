"""A wider receive window for a request body the application has accepted.

uvicorn stops reading a connection whenever more than 64 KiB of its body wait for the
application, and one read from a busy socket brings up to about 256 KB: every read of an
upload paused the connection and the application's next ``receive`` resumed it, two
``epoll_ctl`` calls per read, about a quarter of the store's event loop, which is what
sets the pace of every upload on this machine (docs/PERFORMANCE.md, "What sets the
store's pace"). The window stays at uvicorn's 64 KiB until a handler has checked the
request and calls ``widen``: a connection whose request nobody has authorized still
cannot make the server hold more of its body than before. The reads that wait are kept as
they came (``BodyChunks``) and joined once for the application, where uvicorn copied each
twice on the loop (docs/PERFORMANCE.md, "The store on uvloop, its reads copied once").
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any, cast

from uvicorn.protocols.http.flow_control import HIGH_WATER_LIMIT
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

WIDE_WINDOW = 4 * 1024 * 1024  # per accepted upload; a read adds at most 256 KiB more
_WINDOW = "reeldrop.receive_window"


def widen(scope: MutableMapping[str, Any]) -> None:
    """Let this request's body be read ahead up to WIDE_WINDOW: call it only once the
    request is authorized and its size accepted."""
    scope[_WINDOW] = WIDE_WINDOW


class BodyChunks:
    """The reads of a body that wait for the application, kept as they came: uvicorn grew a
    ``bytearray`` by each read and copied it into ``bytes`` for the application, two copies
    of every byte on the event loop. ``bytes()`` of this joins them once, or hands over a
    lone read as it is.

    Pieces under ``SMALL`` bytes (a chunked body can come as one per HTTP chunk, a few
    bytes each, before anyone has authorized the request) are added to a ``bytearray`` at
    the end instead, as uvicorn did: an object per piece would make a window's worth of
    tiny pieces cost twenty times its bytes in memory."""

    SMALL = 4096  # an object and its list slot are about 60 bytes: at most 1.5 % more

    __slots__ = ("chunks", "size")

    def __init__(self) -> None:
        self.chunks: list[bytes | bytearray] = []
        self.size = 0

    def append(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if len(chunk) >= self.SMALL:
            self.chunks.append(chunk)
        elif self.chunks and isinstance(self.chunks[-1], bytearray):
            self.chunks[-1] += chunk
        else:
            self.chunks.append(bytearray(chunk))

    def __len__(self) -> int:
        return self.size

    def __bytes__(self) -> bytes:
        if len(self.chunks) == 1 and isinstance(self.chunks[0], bytes):
            return self.chunks[0]
        return b"".join(self.chunks)


class WindowedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, pausing a body at the window its handler allowed."""

    def on_body(self, body: bytes) -> None:
        # uvicorn's own ``on_body``, with the request's window in place of its constant and
        # the reads kept as chunks: its ``receive`` hands ``bytes(cycle.body)`` over and
        # puts an empty ``bytearray`` back.
        cycle = self.cycle
        if (self.parser.should_upgrade() and self._should_upgrade()) or cycle.response_complete:
            return
        waiting: bytearray | BodyChunks = cycle.body
        if not isinstance(waiting, BodyChunks):  # uvicorn's, empty after each receive
            waiting, earlier = BodyChunks(), waiting
            if earlier:
                waiting.append(bytes(earlier))
            cycle.body = cast(bytearray, waiting)
        waiting.append(body)
        if len(waiting) > cast(dict[str, Any], cycle.scope).get(_WINDOW, HIGH_WATER_LIMIT):
            self.flow.pause_reading()
        cycle.message_event.set()
