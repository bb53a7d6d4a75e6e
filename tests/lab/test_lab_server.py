"""The lab server answers a malformed request with 400, never with a traceback."""

from __future__ import annotations

import socket

import pytest

from cors_probe.lab.server import MAX_REQUEST_BODY, LabServer


def _exchange(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        return received


@pytest.mark.parametrize(
    ("length", "reason"),
    [
        ("abc", b"malformed Content-Length"),
        ("-5", b"malformed Content-Length"),
        ("1e3", b"malformed Content-Length"),
        ("5, 6", b"malformed Content-Length"),
        (str(10**40), b"request body too large"),
        (str(MAX_REQUEST_BODY + 1), b"request body too large"),
    ],
    ids=["letters", "negative", "exponent", "list", "huge", "over-the-cap"],
)
def test_a_bad_content_length_is_answered_400(
    length: str, reason: bytes, capfd: pytest.CaptureFixture[str]
) -> None:
    with LabServer() as lab:
        request = (
            f"POST /lab/config HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {length}\r\n\r\n{{}}"
        )
        answer = _exchange(lab.port, request.encode())
    assert answer.startswith(b"HTTP/1.1 400 "), answer
    assert answer.endswith(reason)
    assert "Traceback" not in capfd.readouterr().err


def test_two_different_content_lengths_are_answered_400() -> None:
    with LabServer() as lab:
        request = (
            b"POST /cors/simple HTTP/1.1\r\nHost: x\r\n"
            b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}"
        )
        answer = _exchange(lab.port, request)
    assert answer.startswith(b"HTTP/1.1 400 "), answer


def test_a_good_content_length_still_works() -> None:
    with LabServer() as lab:
        body = b'{"preflight": {"status": 204}}'
        request = (
            b"POST /lab/config HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        answer = _exchange(lab.port, request)
    assert answer.startswith(b"HTTP/1.1 200 "), answer


# (method, status, Access-Control-Allow-Origin): /client-hint answers GET for anyone, and does not
# route OPTIONS to its CORS handler, so only an engine that sends no preflight for DPR reads it
CLIENT_HINT = [
    ("GET", 200, "*"),
    ("HEAD", 200, "*"),
    ("OPTIONS", 405, None),
]


@pytest.mark.parametrize(("method", "status", "acao"), CLIENT_HINT, ids=[c[0] for c in CLIENT_HINT])
def test_the_client_hint_endpoint_allows_gets_and_refuses_preflights(
    method: str, status: int, acao: str | None
) -> None:
    with LabServer() as lab:
        request = (
            f"{method} /client-hint HTTP/1.1\r\nHost: x\r\nOrigin: http://localhost:3000\r\n"
            "Access-Control-Request-Method: GET\r\nAccess-Control-Request-Headers: dpr\r\n"
            "Connection: close\r\n\r\n"
        )
        answer = _exchange(lab.port, request.encode()).decode("latin-1")
    head = answer.split("\r\n\r\n")[0].splitlines()
    assert head[0].startswith(f"HTTP/1.1 {status} ")
    cors = [line for line in head[1:] if line.lower().startswith("access-control-")]
    assert cors == ([f"Access-Control-Allow-Origin: {acao}"] if acao else [])


def test_the_lab_takes_a_burst_of_connections_before_it_accepts_any() -> None:
    # `run --jobs 16` opens its connections at once; with socketserver's backlog of 5 the kernel
    # dropped the rest, and each waited a second to try again. Not served: nothing accepts, so
    # every connection that completes is one the listen backlog holds.
    import select
    import socket
    import time

    from cors_probe.lab.server import _Handler, _Server

    server = _Server(("127.0.0.1", 0), _Handler)
    clients = [socket.socket() for _ in range(40)]
    try:
        for client in clients:
            client.setblocking(False)
            client.connect_ex(server.server_address)
        pending, end = set(clients), time.monotonic() + 0.5
        while pending and time.monotonic() < end:
            _, ready, _ = select.select([], list(pending), [], 0.05)
            pending -= {c for c in ready if c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0}
        assert not pending, f"{len(pending)} of 40 connections not taken"
    finally:
        for client in clients:
            client.close()
        server.server_close()
