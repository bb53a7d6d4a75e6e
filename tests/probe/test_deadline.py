"""The probe over real loopback sockets: a request's time-out is its whole budget however slowly
the server trickles, a stale kept-alive connection is retried once (idempotent methods only),
and closing the prober wakes a request blocked in another thread."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from cors_probe.errors import ProbeError
from cors_probe.model import FailureKind, Headers, WireRequest
from cors_probe.probe.client import ProbeOptions, Prober
from tests.probe.rawserver import RawServer, read_request, trickle

OK = b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: 2\r\n\r\nok"
SLACK = 1.0  # seconds over the budget a slow CI machine may take


def _send(url: str, method: str = "GET", timeout: float = 1.0) -> tuple[float, object]:
    started = time.monotonic()
    with Prober(ProbeOptions(timeout=timeout, trust_env=False)) as prober:
        try:
            result: object = prober.send(WireRequest(method, url, Headers()))
        except ProbeError as error:
            result = error
    return time.monotonic() - started, result


def test_headers_sent_one_byte_at_a_time_fail_within_the_budget() -> None:
    def script(conn: socket.socket, _: int) -> None:
        read_request(conn)
        trickle(conn, OK, 0.1)  # ~7 s in all; each byte well inside any read time-out

    with RawServer(script) as server:
        seconds, error = _send(server.url())
    assert isinstance(error, ProbeError)
    assert error.kind is FailureKind.TIMEOUT
    assert error.message.startswith("no complete response within 1 s: the server sent headers")
    assert "too slowly" in error.message
    assert seconds < 1 + SLACK


def test_a_body_sent_one_byte_at_a_time_fails_within_the_budget() -> None:
    def script(conn: socket.socket, _: int) -> None:
        read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
        trickle(conn, b"x" * 100, 0.1)

    with RawServer(script) as server:
        seconds, error = _send(server.url())
    assert isinstance(error, ProbeError)
    assert error.kind is FailureKind.TIMEOUT
    assert "the server sent its body too slowly" in error.message
    assert seconds < 1 + SLACK


def test_a_silent_server_times_out_once() -> None:
    def script(conn: socket.socket, _: int) -> None:
        read_request(conn)
        time.sleep(5)

    with RawServer(script) as server:
        seconds, error = _send(server.url(), timeout=0.5)
    assert isinstance(error, ProbeError)
    assert (error.kind, error.message) == (
        FailureKind.TIMEOUT,
        "timed out: no response within 0.5 s",
    )
    assert 0.4 < seconds < 0.5 + SLACK


def _closes_after_first(conn: socket.socket, number: int) -> None:
    """The first connection answers one request, keeps alive, then drops the next unanswered;
    later connections answer normally."""
    read_request(conn)
    conn.sendall(OK)
    if number == 0:
        read_request(conn)
        return  # closed without a response
    while read_request(conn):
        conn.sendall(OK)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "OPTIONS", "HEAD"])
def test_a_stale_kept_alive_connection_is_retried_once_for_idempotent_methods(
    method: str,
) -> None:
    with (
        RawServer(_closes_after_first) as server,
        Prober(ProbeOptions(timeout=2, trust_env=False)) as prober,
    ):
        first = prober.send(WireRequest("OPTIONS", server.url(), Headers()))
        second = prober.send(WireRequest(method, server.url(), Headers()))
    assert (first.retried, second.retried) == (False, True)
    assert second.status == 200
    assert server.accepted == 2


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_a_non_idempotent_request_is_never_retried(method: str) -> None:
    with (
        RawServer(_closes_after_first) as server,
        Prober(ProbeOptions(timeout=2, trust_env=False)) as prober,
    ):
        prober.send(WireRequest("OPTIONS", server.url(), Headers()))
        with pytest.raises(ProbeError) as raised:
            prober.send(WireRequest(method, server.url(), Headers(), body=b"{}"))
    assert raised.value.kind is FailureKind.PROTOCOL
    assert server.accepted == 1


def test_a_new_connection_closed_unanswered_is_not_retried() -> None:
    def script(conn: socket.socket, _: int) -> None:
        read_request(conn)

    with RawServer(script) as server:
        _, error = _send(server.url())
    assert isinstance(error, ProbeError)
    assert error.kind is FailureKind.PROTOCOL
    assert server.accepted == 1


def test_closing_the_prober_wakes_a_request_waiting_in_another_thread() -> None:
    def script(conn: socket.socket, _: int) -> None:
        read_request(conn)
        time.sleep(10)

    outcome: list[object] = []
    with RawServer(script) as server:
        prober = Prober(ProbeOptions(timeout=10, trust_env=False))

        def send() -> None:
            try:
                outcome.append(prober.send(WireRequest("GET", server.url(), Headers())))
            except ProbeError as error:
                outcome.append(error)

        worker = threading.Thread(target=send)
        worker.start()
        time.sleep(0.3)
        started = time.monotonic()
        prober.close()
        worker.join(timeout=5)
        assert time.monotonic() - started < 1
    (error,) = outcome
    assert isinstance(error, ProbeError)
    assert "interrupted" in error.message
    with pytest.raises(ProbeError):  # and nothing more is sent
        prober.send(WireRequest("GET", server.url(), Headers()))


@pytest.mark.parametrize(
    ("budget", "shown"), [(0.495951, "0.496 s"), (2.0, "2 s"), (2.5, "2.5 s"), (10.0, "10 s")]
)
def test_a_budget_cut_by_the_deadline_is_said_in_three_figures(budget: float, shown: str) -> None:
    """A request's time-out cut to what is left of the conversation's deadline is any float:
    the message says it to three significant figures, not `0.495951 s`."""
    from cors_probe.probe.client import _slow

    assert _slow(budget, "its body", 3) == (
        f"no complete response within {shown}: the server sent its body too slowly "
        f"(3 bytes in {shown})"
    )
