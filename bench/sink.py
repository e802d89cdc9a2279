"""Receivers that keep nothing, to show what the store's own work costs on loopback:

``python -m bench.sink asgi PORT``: the store's HTTP stack (uvicorn + httptools with the
store's protocol and receive window, on its loop; an ASGI app that reads the body and drops
it); ``python -m bench.sink socket PORT``: plain sockets, one thread per connection (the
kernel's loopback ceiling for a Python receiver)."""

from __future__ import annotations

import socket
import socketserver
import sys
from typing import Any

from server.receive_window import WindowedHttpToolsProtocol, widen

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    widen(scope)  # as the store's upload routes do once a request is accepted
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]}
    )
    await send({"type": "http.response.body", "body": b"{}"})


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        conn: socket.socket = self.request
        buffer = bytearray(1 << 20)
        pending = b""
        while True:
            while b"\r\n\r\n" not in pending:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                pending += chunk
            head, _, rest = pending.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            left = length - len(rest)
            while left > 0:
                n = conn.recv_into(buffer, min(len(buffer), left))
                if not n:
                    return
                left -= n
            pending = b""
            conn.sendall(ANSWER)


def main(kind: str, port: int) -> None:
    if kind == "asgi":
        import uvicorn

        uvicorn.run(
            app,
            host="127.0.0.1",
            port=port,
            http=WindowedHttpToolsProtocol,
            loop="auto",
            log_level="warning",
        )
    else:
        socketserver.ThreadingTCPServer.allow_reuse_address = True
        with socketserver.ThreadingTCPServer(("127.0.0.1", port), _Handler) as server:
            server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
