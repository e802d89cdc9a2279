"""Just enough HTTP/1.1 over one socket for the daemon's loopback control API.

``http.client`` drags the e-mail parser and ``ssl`` in with it: 16 ms of every command's
start, before it can hand anything to the daemon. The control API is ours on both ends
(one request per connection, ``Connection: close``; bodies with a ``Content-Length`` or,
for the event stream, chunked), so this module reads exactly that and refuses the rest.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

MAX_HEAD = 64 * 1024
READ_SIZE = 65536
DIGITS = frozenset("0123456789")
HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


class BrokenAnswer(ConnectionError):
    """The answer ended early or was not HTTP/1.1 as the control API speaks it."""


def send_request(
    sock: socket.socket,
    method: str,
    target: str,
    host: str,
    headers: dict[str, str],
    body: bytes | None,
) -> None:
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body is not None or method in ("POST", "PUT"):
        lines.append(f"Content-Length: {len(body or b'')}")
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b""))


class Answer:
    """One response read off ``sock``: ``status`` and ``headers`` (names in lower case) at
    once, the body on demand with ``read`` or, as it arrives, with ``chunks``."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._pending = b""
        head = self._head()
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        version, _, rest = status_line.partition(" ")
        code = rest[:3]
        if not version.startswith("HTTP/1.") or not code.isdigit():
            raise BrokenAnswer(f"not an HTTP answer: {status_line[:80]!r}")
        self.status = int(code)
        self.headers: dict[str, str] = {}
        for line in header_lines:
            name, colon, value = line.partition(":")
            if not colon:
                raise BrokenAnswer(f"a broken header line: {line[:80]!r}")
            self.headers[name.strip().lower()] = value.strip()

    def _recv(self) -> bytes:
        data = self._sock.recv(READ_SIZE)
        if not data:
            raise BrokenAnswer("the answer ended early")
        return data

    def _head(self) -> bytes:
        while b"\r\n\r\n" not in self._pending:
            if len(self._pending) > MAX_HEAD:
                raise BrokenAnswer("the answer's headers never ended")
            self._pending += self._recv()
        head, _, self._pending = self._pending.partition(b"\r\n\r\n")
        return head

    def _exactly(self, n: int) -> bytes:
        while len(self._pending) < n:
            self._pending += self._recv()
        data, self._pending = self._pending[:n], self._pending[n:]
        return data

    def _line(self) -> bytes:
        while b"\r\n" not in self._pending:
            if len(self._pending) > MAX_HEAD:
                raise BrokenAnswer("a chunk header never ended")
            self._pending += self._recv()
        line, _, self._pending = self._pending.partition(b"\r\n")
        return line

    def chunks(self) -> Iterator[bytes]:
        """The body as it arrives. Raises BrokenAnswer if it stops short of its declared
        end (a daemon that died mid-stream), never taking that for the end."""
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            yield from self._chunked()
        elif "content-length" in self.headers:
            yield from self._sized(self._length(self.headers["content-length"]))
        else:  # the body runs to the end of the connection
            if self._pending:
                yield self._pending
            while data := self._sock.recv(READ_SIZE):
                yield data

    def read(self) -> bytes:
        return b"".join(self.chunks())

    def _sized(self, length: int) -> Iterator[bytes]:
        left = length
        if self._pending:
            first, self._pending = self._pending[:left], b""
            left -= len(first)
            yield first
        while left > 0:
            data = self._recv()[:left]
            left -= len(data)
            yield data

    def _chunked(self) -> Iterator[bytes]:
        while True:
            size = self._length(self._line().split(b";")[0].decode("latin-1"), base=16)
            if size == 0:
                while self._line():  # trailers, up to the empty line
                    pass
                return
            data = self._exactly(size)
            if self._exactly(2) != b"\r\n":
                raise BrokenAnswer("a chunk did not end where its size said")
            yield data

    @staticmethod
    def _length(text: str, base: int = 10) -> int:
        text = text.strip()
        digits = DIGITS if base == 10 else HEX_DIGITS
        if not text or len(text) > 16 or not set(text) <= digits:
            raise BrokenAnswer(f"a broken length: {text[:20]!r}")
        return int(text, base)
