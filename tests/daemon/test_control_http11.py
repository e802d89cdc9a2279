"""The control client's HTTP/1.1 reader: bodies whole however the bytes arrive, and an
answer that stops short or lies about its lengths is an error, never a shorter body."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from shared.control.http11 import Answer, BrokenAnswer, send_request


def answer_of(*pieces: bytes, close: bool = True) -> Answer:
    """The answer read from a socket that receives ``pieces`` one by one, a little apart
    (each arrives in a recv of its own)."""
    ours, theirs = socket.socketpair()
    ours.settimeout(10)

    def write() -> None:
        for piece in pieces:
            theirs.sendall(piece)
            time.sleep(0.01)
        if close:
            theirs.shutdown(socket.SHUT_WR)

    threading.Thread(target=write, daemon=True).start()
    return Answer(ours)


def test_a_sized_body_arriving_in_pieces_is_read_whole() -> None:
    answer = answer_of(
        b"HTTP/1.1 201 Created\r\nContent-Le", b"ngth: 11\r\nX-A: b\r\n\r\nhello", b" world"
    )
    assert answer.status == 201
    assert answer.headers["content-length"] == "11" and answer.headers["x-a"] == "b"
    assert answer.read() == b"hello world"


def test_a_chunked_stream_yields_each_chunk_as_it_comes() -> None:
    answer = answer_of(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7\r\ndata: ",
        b"a\r\n",
        b"3;ext=1\r\nb\n\n\r\n0\r\n\r\n",
    )
    assert list(answer.chunks()) == [b"data: a", b"b\n\n"]


def test_a_stream_cut_off_mid_chunk_is_an_error_not_its_end() -> None:
    answer = answer_of(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nonly part")
    with pytest.raises(BrokenAnswer, match="ended early"):
        list(answer.chunks())


def test_a_body_shorter_than_its_length_is_an_error() -> None:
    answer = answer_of(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{}")
    with pytest.raises(BrokenAnswer, match="ended early"):
        answer.read()


@pytest.mark.parametrize(
    "head",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 1_0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: " + b"9" * 30 + b"\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ],
)
def test_lengths_that_are_not_numbers_are_refused(head: bytes) -> None:
    with pytest.raises(BrokenAnswer, match="broken length"):
        answer_of(head).read()


def test_what_is_not_an_http_answer_is_refused() -> None:
    with pytest.raises(BrokenAnswer, match="not an HTTP answer"):
        answer_of(b"SSH-2.0-OpenSSH\r\n\r\n")
    with pytest.raises(BrokenAnswer, match="headers never ended"):
        answer_of(b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 20000)


def test_the_request_carries_its_length_and_asks_to_close() -> None:
    ours, theirs = socket.socketpair()
    send_request(ours, "POST", "/v1/jobs", "127.0.0.1:9", {"Authorization": "Bearer t"}, b"{}")
    ours.close()
    sent = b""
    while data := theirs.recv(4096):
        sent += data
    head, _, body = sent.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "POST /v1/jobs HTTP/1.1"
    assert {"Host: 127.0.0.1:9", "Connection: close", "Content-Length: 2"} <= set(lines)
    assert body == b"{}"
