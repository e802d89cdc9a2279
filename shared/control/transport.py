"""HTTP to the daemon's loopback control API, on the standard library alone.

Every command starts with a request to the daemon, so this module is on the start-up path
of each of them: an HTTP library costs a tenth of a second to import, ``http.client`` 16 ms,
``http11`` (just what the control API speaks) nearly nothing. Each request opens its own
connection (a loopback connect is cheap), so one client may be used from several threads
at once; ``close`` ends the streams still open, which unblocks a thread reading one.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit

from shared.control.http11 import Answer, send_request

NOT_RUNNING = "ReelDrop daemon is not running; start it with `reeldrop daemon`"
UNRESPONSIVE = "ReelDrop daemon is running but did not answer in time ({detail}); try again"
CONNECT_SECONDS = 10.0


class DaemonUnavailable(Exception):
    """The daemon could not be asked; the subclass says why."""


class DaemonNotRunning(DaemonUnavailable):
    """No control file, or nothing listens on its port."""


class DaemonUnresponsive(DaemonUnavailable):
    """The daemon accepted the connection but did not answer in time (busy or stuck)."""


class ControlError(Exception):
    """The daemon answered with an error: its stable code and its sentence for people."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _answer_error(exc: OSError) -> DaemonUnavailable:
    """What went wrong after the daemon accepted the connection, in a user's words."""
    if isinstance(exc, TimeoutError):
        return DaemonUnresponsive(UNRESPONSIVE.format(detail="ReadTimeout"))
    return DaemonUnresponsive(
        f"ReelDrop daemon closed the connection ({type(exc).__name__}); try again"
    )


class ControlTransport:
    """Requests to ``base_url`` (``http://127.0.0.1:PORT``) with the control token."""

    def __init__(self, base_url: str, token: str, timeout: float) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.timeout = timeout
        self._headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self._lock = threading.Lock()
        self._streams: set[socket.socket] = set()
        self._closed = False

    def close(self) -> None:
        """End every stream open or opening (their readers see the end of the stream)."""
        with self._lock:
            streams, self._streams, self._closed = self._streams, set(), True
        for sock in streams:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _open(
        self, method: str, path: str, body: bytes | None, read_timeout: float
    ) -> tuple[socket.socket, Answer]:
        """Send one request; its socket and the answer, headers read. Errors say whether
        the daemon is missing or did not answer."""
        try:
            sock = socket.create_connection((self.host, self.port), timeout=CONNECT_SECONDS)
        except OSError:  # refused, or nothing answered the connect in time
            raise DaemonNotRunning(NOT_RUNNING) from None
        try:
            sock.settimeout(read_timeout)
            headers = dict(self._headers)
            if body is not None:
                headers["Content-Type"] = "application/json"
            send_request(sock, method, path, f"{self.host}:{self.port}", headers, body)
            answer = Answer(sock)
        except OSError as exc:
            sock.close()
            raise _answer_error(exc) from None
        return sock, answer

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
    ) -> Any:
        """The decoded JSON answer; ``ControlError`` for an error status."""
        if params:
            path = f"{path}?{urlencode(params, doseq=True)}"  # a list: the key repeated
        body = json.dumps(json_body).encode() if json_body is not None else None
        sock, response = self._open(method, path, body, self.timeout)
        try:
            data = response.read()
        except OSError as exc:
            raise _answer_error(exc) from None
        finally:
            sock.close()
        if response.status >= 400:
            try:
                error = json.loads(data)["error"]
                code, message = str(error["code"]), str(error["message"])
            except (ValueError, KeyError, TypeError):
                code, message = "error", data[:200].decode("utf-8", "replace")
            raise ControlError(response.status, code, message)
        return json.loads(data)

    def lines(self, path: str, read_timeout: float) -> Iterator[str]:
        """A streamed answer line by line (the event stream), until the daemon ends it."""
        sock, response = self._open("GET", path, None, read_timeout)
        with self._lock:
            ended_here = self._closed  # closed while this stream was opening
            if not ended_here:
                self._streams.add(sock)
        if ended_here:
            sock.close()
            return
        try:
            if response.status >= 400:
                refused = f"the daemon refused the event stream ({response.status})"
                raise ControlError(response.status, "error", refused)
            # chunks() raises when the daemon dies mid-stream, never taking that for the end.
            pending = b""
            for data in response.chunks():
                *complete, pending = (pending + data).split(b"\n")
                for line in complete:
                    yield line.decode("utf-8").rstrip("\r")
        except OSError as exc:
            with self._lock:
                ended_here = sock not in self._streams  # ``close`` ended it: no error
            if not ended_here:
                raise _answer_error(exc) from None
        finally:
            with self._lock:
                self._streams.discard(sock)
            sock.close()
