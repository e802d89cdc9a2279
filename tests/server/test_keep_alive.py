"""An idle kept-alive connection to the server outlives the daemon's reuse of it.

HTTP clients reuse an idle connection for a while (httpx: 5 s); if the server closes it
at that same moment, a request sent on it meets a closed socket and the user reads "the
server did not answer". The server (``reeldrop server serve``, a real process) keeps idle
connections well past the time the daemon reuses them."""

from __future__ import annotations

import http.client
import time
from pathlib import Path

from daemon.serverapi.client import IDLE_CONNECTION_SECONDS
from tests.support.server_process import ServerProcess

HTTPX_DEFAULT_KEEPALIVE = 5.0


def test_a_connection_idle_as_long_as_a_client_keeps_it_is_still_served(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "server").start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", "/healthz")
        first = connection.getresponse()
        first.read()
        assert first.status == 200
        socket_used = connection.sock
        time.sleep(max(IDLE_CONNECTION_SECONDS, HTTPX_DEFAULT_KEEPALIVE) + 1)
        connection.request("GET", "/healthz")
        assert connection.sock is socket_used, "the same connection was used again"
        again = connection.getresponse()  # RemoteDisconnected if the server dropped it
        again.read()
        assert again.status == 200
        connection.close()
    finally:
        server.stop()
