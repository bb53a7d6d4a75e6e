"""A server that answers with something that is not HTTP: the failure is a protocol error told in
words, on one line, quoting the server's bytes as text (Latin-1, cut), never the HTTP library's
internals (`bytearray(b'...')`, h11's parser terms)."""

from __future__ import annotations

import socket
import time

import pytest

from cors_probe.errors import ProbeError
from cors_probe.model import FailureKind, Headers, WireRequest, WireResponse
from cors_probe.probe.client import QUOTED_MAX, ProbeOptions, Prober, in_words
from tests.probe.rawserver import RawServer, read_request


def _answers(data: bytes) -> object:
    """What the probe makes of a server that reads the request, sends `data` and closes."""

    def script(conn: socket.socket, _: int) -> None:
        read_request(conn)
        conn.sendall(data)
        conn.shutdown(socket.SHUT_WR)
        time.sleep(0.2)

    with RawServer(script) as server, Prober(ProbeOptions(timeout=5, trust_env=False)) as prober:
        try:
            result: object = prober.send(WireRequest("GET", server.url(), Headers()))
        except ProbeError as error:
            result = error
    return result


GARBAGE = {
    "status-line": (
        b"HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n",
        "the server's status line is not HTTP: 'HTTP/1.1 2OO OK'",
    ),
    "header-without-colon": (
        b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin *\r\nContent-Length: 0\r\n\r\n",
        "the server sent a header line that is not 'Name: value': 'Access-Control-Allow-Origin *'",
    ),
    "header-name-with-a-space": (
        b"HTTP/1.1 200 OK\r\nX A: b\r\n\r\n",
        "the server sent a header line that is not 'Name: value': 'X A: b'",
    ),
    "latin-1-and-controls": (
        b"HTTP/1.1 200 OK\r\nCaf\xe9 \x1b[31m\r\n\r\n",
        "the server sent a header line that is not 'Name: value': 'Café \\x1b[31m'",
    ),
    "long-line": (
        b"HTTP/1.1 200 OK\r\n" + b"X" * 300 + b"\r\n\r\n",
        f"the server sent a header line that is not 'Name: value': '{'X' * QUOTED_MAX}'...",
    ),
    "not-http": (
        b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03",
        "the server's answer is not HTTP: its first bytes cannot start a status line",
    ),
    "closed-mid-headers": (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/pl",
        "the server closed the connection after 38 bytes of an incomplete response",
    ),
    "closed-before-any-byte": (b"", "Server disconnected without sending a response."),
    "bad-content-length": (
        b"HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n",
        "the server's Content-Length is not a number",
    ),
    "continuation-first": (
        b"HTTP/1.1 200 OK\r\n folded\r\n\r\n",
        "the server's first header line starts with a space (a continuation of nothing)",
    ),
}


@pytest.mark.parametrize("name", GARBAGE)
def test_a_response_that_is_not_http_is_a_protocol_error_in_words(name: str) -> None:
    data, message = GARBAGE[name]
    error = _answers(data)
    assert isinstance(error, ProbeError), error
    assert error.kind is FailureKind.PROTOCOL
    assert error.message == message
    assert "bytearray" not in error.message
    assert "\n" not in error.message
    assert "\r" not in error.message


@pytest.mark.parametrize(
    "body",
    [
        b"ZZZ\r\nabc\r\n0\r\n\r\n",  # a chunk size that is not hexadecimal
        b"3\r\nabcXY0\r\n\r\n",  # a chunk that does not end with CRLF
        b"3\r\nab",  # closed inside a chunk
    ],
    ids=["bad-size", "bad-footer", "cut"],
)
def test_a_bad_chunked_body_keeps_the_response_as_truncated(body: bytes) -> None:
    """The headers (all that CORS judges) arrived whole: the answer stands, its body is marked
    truncated, as the browser's fetch() resolves before it reads the body."""
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    response = _answers(head + body)
    assert isinstance(response, WireResponse), response
    assert response.status == 200
    assert response.body_truncated


@pytest.mark.parametrize(
    ("message", "words"),
    [
        (
            "illegal chunk header: bytearray(b'ZZZ\\r\\n')",
            "the server's chunked body has a bad chunk size: 'ZZZ\\r\\n'",
        ),
        (
            "malformed chunk footer: bytearray(b'XY') (expected b'\\r\\n')",
            "a chunk of the server's chunked body does not end with CRLF: 'XY'",
        ),
        (
            "Invalid HTTP header line: bytearray(b'caf\\xe9')",
            "the server sent a header line that is not 'Name: value': 'café'",
        ),
        (
            "Illegal header value b'a\\x00b'",
            "the server sent a header with an invalid value: 'a\\x00b'",
        ),
        ("something else: b'\\xff\\x00'", "something else: 'ÿ\\x00'"),
        ("Server disconnected without sending a response.", None),
        ("a quote b'unterminated", None),
    ],
    ids=[
        "chunk-size",
        "chunk-footer",
        "invalid-header-line",
        "header-value",
        "other",
        "as-is",
        "x",
    ],
)
def test_library_messages_in_words(message: str, words: str | None) -> None:
    assert in_words(message) == (message if words is None else words)
