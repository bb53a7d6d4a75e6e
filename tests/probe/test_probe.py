"""The I/O layer's own behaviour over httpx.MockTransport: no redirects, raw headers, caps."""

from __future__ import annotations

import time

import httpx
import pytest

from cors_probe.errors import ProbeError
from cors_probe.model import FailureKind, Headers, WireRequest
from cors_probe.probe.client import ProbeOptions, Prober

URL = "http://api.test/v1/items"


def _prober(handler: httpx.MockTransport, **options: object) -> Prober:
    return Prober(ProbeOptions(**options), transport=handler)  # type: ignore[arg-type]


def test_sends_exactly_the_planned_headers_and_no_client_defaults() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    request = WireRequest(
        "OPTIONS",
        URL,
        Headers.of(
            ("Accept", "*/*"),
            ("Access-Control-Request-Method", "PUT"),
            ("Access-Control-Request-Headers", "content-type,x-api-key"),
            ("Origin", "https://app.example"),
        ),
    )
    with _prober(httpx.MockTransport(handler)) as prober:
        response = prober.send(request)
    assert response.status == 204
    sent = seen[0]
    assert sent.method == "OPTIONS"
    assert sent.headers["Access-Control-Request-Headers"] == "content-type,x-api-key"
    assert sent.headers["Origin"] == "https://app.example"
    assert sent.headers["Accept"] == "*/*"
    assert "accept-encoding" not in sent.headers
    assert sent.headers["User-Agent"].startswith("cors-probe/")
    assert sent.content == b""


def test_never_follows_a_redirect() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(302, headers={"Location": "http://other.test/"})

    with _prober(httpx.MockTransport(handler)) as prober:
        response = prober.send(WireRequest("GET", URL, Headers()))
    assert response.status == 302
    assert response.headers.get("Location") == "http://other.test/"
    assert calls == [URL]


def test_keeps_duplicate_headers_their_case_and_raw_bytes() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            headers=[
                (b"access-control-allow-origin", b"https://a.example"),
                (b"Access-Control-Allow-Origin", b"https://b.example"),
                (b"X-Odd", b"caf\xe9"),
            ],
        )

    with _prober(httpx.MockTransport(handler)) as prober:
        response = prober.send(WireRequest("GET", URL, Headers()))
    assert response.headers.get_all("Access-Control-Allow-Origin") == [
        "https://a.example",
        "https://b.example",
    ]
    assert response.headers.names()[:2] == [
        "access-control-allow-origin",
        "Access-Control-Allow-Origin",
    ]
    assert response.headers.get("x-odd") == "caf\xe9"


def test_body_is_streamed_and_capped() -> None:
    def chunks() -> object:
        for _ in range(100):
            yield b"x" * 1024

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=chunks())  # type: ignore[arg-type]

    with _prober(httpx.MockTransport(handler), body_cap=4096) as prober:
        response = prober.send(WireRequest("GET", URL, Headers()))
    assert response.body_truncated
    assert response.body_bytes == 4096


def test_small_body_is_read_whole_and_the_round_trip_is_timed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        time.sleep(0.03)  # the server takes 30 ms to answer
        return httpx.Response(200, content=b"hello")

    with _prober(httpx.MockTransport(handler)) as prober:
        response = prober.send(WireRequest("POST", URL, Headers(), body=b"{}"))
    assert (response.body_bytes, response.body_truncated) == (5, False)
    assert response.elapsed_ms >= 30  # a slow machine only adds to it


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (httpx.ConnectTimeout("timed out"), FailureKind.TIMEOUT),
        (httpx.ReadTimeout("timed out"), FailureKind.TIMEOUT),
        (httpx.ConnectError("[Errno 111] Connection refused"), FailureKind.REFUSED),
        (httpx.ConnectError("[Errno -2] Name or service not known"), FailureKind.DNS),
        (
            httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"),
            FailureKind.TLS,
        ),
        (
            httpx.RemoteProtocolError("Server disconnected without sending a response."),
            FailureKind.PROTOCOL,
        ),
    ],
    ids=["connect-timeout", "read-timeout", "refused", "dns", "tls", "protocol"],
)
def test_transport_errors_become_probe_errors_with_a_kind(
    error: httpx.HTTPError, kind: FailureKind
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error

    with _prober(httpx.MockTransport(handler)) as prober, pytest.raises(ProbeError) as caught:
        prober.send(WireRequest("GET", URL, Headers()))
    assert caught.value.kind is kind
    assert caught.value.as_failure().kind is kind


WIRE_CASES = [
    WireRequest("GET", URL, Headers.of(("Accept", "*/*"), ("Origin", "https://app.example"))),
    WireRequest(
        "PUT",
        "http://127.0.0.1:8080/x?q=1",
        Headers.of(("Accept", "*/*"), ("Content-Type", "application/json"), ("X-A", "1")),
        body=b"{}",
    ),
    WireRequest("POST", "https://[::1]:8443/", Headers.of(("Accept", "*/*")), body=b""),
    WireRequest("OPTIONS", "https://api.test/", Headers.of(("Origin", "null"))),
]


@pytest.mark.parametrize("request_", WIRE_CASES, ids=lambda r: f"{r.method}-{r.url}")
def test_wire_model_matches_what_httpx_sends(request_: WireRequest) -> None:
    """`simulate` reports `on_the_wire(...)`; it must be exactly what the probe really sends."""
    from cors_probe.probe.wire import on_the_wire

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(204)

    with _prober(httpx.MockTransport(handler)) as prober:
        response = prober.send(request_)
    assert response.sent_headers == on_the_wire(request_)


@pytest.mark.parametrize("method", ["GET", "OPTIONS", "DELETE", "PUT", "patch", "POST", "purge"])
@pytest.mark.parametrize("body", [None, b"", b"x"], ids=["none", "empty", "one-byte"])
def test_wire_model_matches_httpx_for_every_method_and_body(
    method: str, body: bytes | None
) -> None:
    from cors_probe.probe.wire import on_the_wire

    request = WireRequest(method, URL, Headers.of(("Accept", "*/*")), body=body)
    with _prober(httpx.MockTransport(lambda _: httpx.Response(204))) as prober:
        response = prober.send(request)
    assert response.sent_headers == on_the_wire(request)


def test_a_message_repeated_down_the_exception_chain_is_said_once() -> None:
    """httpx re-raises httpcore's error with the same words; the reason names them once, and a
    different cause is still kept."""
    said = "Server disconnected without sending a response."

    def handler(request: httpx.Request) -> httpx.Response:
        try:
            try:
                raise OSError("peer reset")
            except OSError as reset:
                raise httpx.RemoteProtocolError(said) from reset
        except httpx.RemoteProtocolError as inner:
            raise httpx.RemoteProtocolError(said) from inner

    with _prober(httpx.MockTransport(handler)) as prober, pytest.raises(ProbeError) as caught:
        prober.send(WireRequest("GET", URL, Headers()))
    assert caught.value.message == f"{said} / peer reset"
