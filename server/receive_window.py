"""A wider receive window for a request body the application has accepted.

uvicorn stops reading a connection whenever more than 64 KiB of its body wait for the
application, and one read from a busy socket brings up to 256 KiB: every read of an
upload paused the connection and the application's next ``receive`` resumed it, two
``epoll_ctl`` calls per read, about a quarter of the store's event loop, which is what
sets the pace of every upload on this machine (docs/PERFORMANCE.md, "What sets the
store's pace"). The window stays at uvicorn's 64 KiB until a handler has checked the
request and calls ``widen``: a connection whose request nobody has authorized still
cannot make the server hold more of its body than before.
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


class WindowedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, pausing a body at the window its handler allowed."""

    def on_body(self, body: bytes) -> None:
        # uvicorn's own ``on_body``, with the request's window in place of its constant.
        cycle = self.cycle
        if (self.parser.should_upgrade() and self._should_upgrade()) or cycle.response_complete:
            return
        cycle.body += body
        if len(cycle.body) > cast(dict[str, Any], cycle.scope).get(_WINDOW, HIGH_WATER_LIMIT):
            self.flow.pause_reading()
        cycle.message_event.set()
