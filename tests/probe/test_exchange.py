"""The prober's fast path (a request straight to AiohttpTransport.exchange, no httpx.Request or
Response built) against its slow path (the same transport behind httpx's transport seam, as a
test's or httpx's own is used): the same header pairs, the same bytes on the wire, the same
WireResponse or ProbeError, for every request, reply and broken byte stream of
test_aclient.py's tables."""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from cors_probe.errors import ProbeError
from cors_probe.model import Headers, WireRequest, WireResponse
from cors_probe.probe.aclient import AsyncProber, _built, _exact_head, _text
from cors_probe.probe.aiohttp_transport import AiohttpTransport
from cors_probe.probe.loop import run_async
from cors_probe.probe.wire import on_the_wire
from tests.probe.rawserver import RawServer
from tests.probe.test_aclient import (
    BYTES,
    OPTIONS,
    REPLIES,
    WIRE,
    Outcome,
    _answers,
    _comparable,
    _recording,
)
from tests.servers import ScriptedServer

NOT_ASCII = {"latin-1-value"}
"""WIRE's requests whose header bytes are not ASCII: never on the fast path."""


def _both(request: WireRequest) -> list[object]:
    """`request` sent the fast way (the prober's own transport) then the slow way (the same
    transport class injected, so behind httpx.Request/Response): both outcomes, comparable."""

    async def send(injected: bool) -> Outcome:
        transport = AiohttpTransport(trust_env=False) if injected else None
        async with AsyncProber(OPTIONS, transport=transport) as prober:
            try:
                return await prober.send(request)
            except ProbeError as error:
                return error.kind, error.message
            finally:
                if transport is not None:
                    await transport.aclose()

    return [_comparable(run_async(send(injected))) for injected in (False, True)]


@pytest.mark.parametrize("name", WIRE)
def test_the_exact_head_is_the_built_requests_headers(name: str) -> None:
    request = dataclasses.replace(WIRE[name], url=f"http://127.0.0.1:8080{WIRE[name].url}")
    url = httpx.URL(request.url)
    head = _exact_head(request, url.netloc.decode("latin-1"))
    if name in NOT_ASCII:
        assert head is None
        return
    assert head is not None
    assert tuple(head) == _text(_built(request, url, None).headers.raw)
    assert Headers(tuple(head)) == on_the_wire(request)


def test_a_non_ascii_name_or_value_or_host_is_never_on_the_fast_path() -> None:
    url = "http://127.0.0.1:8080/"
    for headers in (Headers.of(("X-A", "caf\xe9")), Headers.of(("X-\u0100", "v"))):
        assert _exact_head(WireRequest("GET", url, headers), "127.0.0.1:8080") is None
    plain = WireRequest("GET", url, Headers.of(("X-A", "plain")))
    assert _exact_head(plain, "127.0.0.1:8080")
    assert _exact_head(plain, "caf\xe9.test") is None


@pytest.mark.parametrize("name", WIRE)
def test_the_same_bytes_on_the_wire_and_the_same_response(name: str) -> None:
    server, seen = _recording()
    with server:
        request = dataclasses.replace(WIRE[name], url=server.url(WIRE[name].url))
        fast, slow = _both(request)
    assert fast == slow
    assert isinstance(fast, WireResponse)
    fast_bytes, slow_bytes = seen
    assert fast_bytes == slow_bytes


@pytest.mark.parametrize("name", REPLIES)
def test_the_same_response_for_every_reply(name: str, server: ScriptedServer) -> None:
    server.route("/r", REPLIES[name])
    request = WireRequest("GET", server.url("/r"), Headers.of(("Origin", "https://app.example")))
    fast, slow = _both(request)
    assert fast == slow


@pytest.mark.parametrize("name", BYTES)
def test_the_same_outcome_for_the_same_bytes(name: str) -> None:
    with RawServer(_answers(BYTES[name])) as server:
        fast, slow = _both(WireRequest("GET", server.url(), Headers()))
    assert fast == slow


def test_the_fast_path_is_taken_and_the_slow_one_goes_through_httpx(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.route("/r", REPLIES["200"])
    wrapped: list[str] = []
    original = AiohttpTransport.handle_async_request

    async def counting(self: AiohttpTransport, request: httpx.Request) -> httpx.Response:
        wrapped.append(request.method)
        return await original(self, request)

    monkeypatch.setattr(AiohttpTransport, "handle_async_request", counting)
    ascii_only = WireRequest("GET", server.url("/r"), Headers.of(("X-A", "plain")))
    latin_1 = WireRequest("GET", server.url("/r"), Headers.of(("X-A", "caf\xe9")))
    _both(ascii_only)
    assert wrapped == ["GET"]  # the injected (slow) send only
    wrapped.clear()
    _both(latin_1)
    assert wrapped == ["GET", "GET"]  # not ASCII: through httpx's seam both ways
