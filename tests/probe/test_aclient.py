"""The async prober against the synchronous one, over real loopback sockets: for every server
behaviour the sync tests stage, the same WireResponse (timings aside) or the same ProbeError kind
and words; the same request bytes on the wire; the same retry, deadline and stop rules."""

from __future__ import annotations

import asyncio
import dataclasses
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from cors_probe.errors import ProbeError, UsageError
from cors_probe.model import BODY_KEPT, FailureKind, Headers, WireRequest, WireResponse
from cors_probe.probe.aclient import AsyncProber
from cors_probe.probe.client import ProbeOptions, Prober
from cors_probe.probe.loop import run_async
from cors_probe.probe.wire import on_the_wire
from tests.probe.rawserver import RawServer, read_request, trickle
from tests.probe.test_garbage import GARBAGE
from tests.servers import Reply, ScriptedServer
from tests.tls import certificate, server_context

Outcome = WireResponse | tuple[FailureKind, str]
OPTIONS = ProbeOptions(timeout=5, trust_env=False)
SLACK = 1.0  # seconds over a budget a slow machine may take


def _sync(request: WireRequest, options: ProbeOptions) -> Outcome:
    with Prober(options) as prober:
        try:
            return prober.send(request)
        except ProbeError as error:
            return error.kind, error.message


def _async(request: WireRequest, options: ProbeOptions) -> Outcome:
    async def main() -> Outcome:
        async with AsyncProber(options) as prober:
            try:
                return await prober.send(request)
            except ProbeError as error:
                return error.kind, error.message

    return run_async(main())


def _comparable(outcome: Outcome) -> object:
    """Timings aside; a byte count in a time-out's words depends on the moment it struck."""
    if isinstance(outcome, WireResponse):
        return dataclasses.replace(outcome, elapsed_ms=0.0)
    kind, message = outcome
    return kind, re.sub(r"\(\d+ bytes? in", "(N bytes in", message)


def _same(request: WireRequest, options: ProbeOptions = OPTIONS) -> Outcome:
    """Send `request` both ways; assert the outcomes agree; return the async one."""
    sync, asynchronous = _sync(request, options), _async(request, options)
    assert _comparable(asynchronous) == _comparable(sync)
    return asynchronous


# --- what the server answers ------------------------------------------------------------------

REPLIES = {
    "200": Reply(200, [("Access-Control-Allow-Origin", "*")], body=b"ok"),
    "204": Reply(204, [("Access-Control-Allow-Methods", "PUT")]),
    "404": Reply(404, body=b"no such thing"),
    "500-reason": Reply(500, reason="Kaputt", body=b"x"),
    "duplicates-and-case": Reply(
        200,
        [
            ("access-control-allow-origin", "https://a.example"),
            ("Access-Control-Allow-Origin", "https://b.example"),
            ("X-CuStOm", "caf\xe9"),
            ("Vary", "Origin"),
            ("vary", "Accept"),
        ],
    ),
    "redirect": Reply(302, [("Location", "http://other.test/next")]),
    "redirect-to-data": Reply(307, [("Location", "data:text/plain,hi")]),
    "redirect-unparseable": Reply(301, [("Location", "http://[::1/x y")]),
    "body-over-the-cap": Reply(200, body_size=100_000),
    "body-kept": Reply(400, body=b"Disallowed CORS origin"),
}


@pytest.mark.parametrize("name", REPLIES)
def test_the_same_response_as_the_synchronous_probe(name: str, server: ScriptedServer) -> None:
    server.route("/r", REPLIES[name])
    request = WireRequest("GET", server.url("/r"), Headers.of(("Origin", "https://app.example")))
    outcome = _same(request, dataclasses.replace(OPTIONS, body_cap=10_000))
    assert isinstance(outcome, WireResponse)
    assert outcome.server_ip == "127.0.0.1"
    assert len(outcome.body) <= BODY_KEPT


def _answers(data: bytes) -> Callable[[socket.socket, int], None]:
    def script(conn: socket.socket, _: int) -> None:
        read_request(conn)
        conn.sendall(data)
        conn.shutdown(socket.SHUT_WR)
        time.sleep(0.2)

    return script


CHUNKED = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
BYTES = {
    **{name: data for name, (data, _) in GARBAGE.items()},
    "chunk-size-not-hex": CHUNKED + b"ZZZ\r\nabc\r\n0\r\n\r\n",
    "chunk-without-crlf": CHUNKED + b"3\r\nabcXY0\r\n\r\n",
    "closed-inside-a-chunk": CHUNKED + b"3\r\nab",
    "closed-inside-the-body": b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
    "read-until-closed": b"HTTP/1.1 200 OK\r\n\r\nuntil the end",
    "http-1.0": b"HTTP/1.0 200 OK\r\n\r\nbody",
    "lf-only": b"HTTP/1.1 200 OK\nContent-Length: 0\n\n",
    "no-reason": b"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n",
    "latin-1-reason-and-value": b"HTTP/1.1 200 Caf\xe9\r\nX: caf\xe9\r\nContent-Length: 0\r\n\r\n",
    "100-continue-first": b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
    "status-99": b"HTTP/1.1 99 X\r\nContent-Length: 0\r\n\r\n",
    "http-2-status-line": b"HTTP/2 200 OK\r\nContent-Length: 0\r\n\r\n",
    "200-headers": b"HTTP/1.1 200 OK\r\n" + b"X: a\r\n" * 200 + b"Content-Length: 0\r\n\r\n",
    "a-9000-byte-header": b"HTTP/1.1 200 OK\r\nX: "
    + b"a" * 9000
    + b"\r\nContent-Length: 0\r\n\r\n",
}


@pytest.mark.parametrize("name", BYTES)
def test_the_same_outcome_for_the_same_bytes(name: str) -> None:
    with RawServer(_answers(BYTES[name])) as server:
        _same(WireRequest("GET", server.url(), Headers()))


def test_garbage_is_told_in_the_synchronous_probe_words() -> None:
    """Not only equal to the sync probe's: equal to what its own tests hold it to."""
    for data, words in GARBAGE.values():
        with RawServer(_answers(data)) as server:
            outcome = _async(WireRequest("GET", server.url(), Headers()), OPTIONS)
        assert outcome == (FailureKind.PROTOCOL, words)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_refused_port_and_a_name_that_does_not_resolve() -> None:
    refused = _same(WireRequest("GET", f"http://127.0.0.1:{_free_port()}/", Headers()))
    assert refused == (FailureKind.REFUSED, "connection refused")
    unknown = _same(WireRequest("GET", "http://api.cors-probe.invalid/", Headers()))
    assert isinstance(unknown, tuple)
    assert unknown[0] is FailureKind.DNS


@pytest.fixture(name="tls_server")
def _tls_server() -> Iterator[ScriptedServer]:
    with ScriptedServer(tls=server_context()).start() as server:
        server.route("/r", Reply(200, [("Access-Control-Allow-Origin", "*")], body=b"ok"))
        yield server


def test_an_untrusted_certificate_then_trusted_with_cacert(tls_server: ScriptedServer) -> None:
    request = WireRequest("GET", tls_server.url("/r"), Headers())
    untrusted = _same(request)
    assert isinstance(untrusted, tuple)
    assert untrusted[0] is FailureKind.TLS
    assert "certificate verify failed" in untrusted[1]
    trusted = _same(request, dataclasses.replace(OPTIONS, cacert=str(certificate()[0])))
    assert isinstance(trusted, WireResponse)
    assert trusted.status == 200
    insecure = _same(request, dataclasses.replace(OPTIONS, verify=False))
    assert isinstance(insecure, WireResponse)


def test_a_cacert_that_is_not_a_bundle_is_a_usage_error(tmp_path: object) -> None:
    async def main() -> None:
        options = dataclasses.replace(OPTIONS, cacert=__file__)
        async with AsyncProber(options) as prober:
            await prober.open(["https://127.0.0.1:1/"])

    with pytest.raises(UsageError, match="not a PEM bundle of CA certificates"):
        run_async(main())


@pytest.mark.parametrize("where", ["option", "environment"])
def test_an_http_proxy_receives_the_absolute_form_request(
    where: str, server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = "http://api.cors-probe.invalid/p"
    server.route(target, Reply(200, [("Access-Control-Allow-Origin", "*")]))
    if where == "option":
        options = dataclasses.replace(OPTIONS, proxy=server.base_url)
    else:
        monkeypatch.setenv("HTTP_PROXY", server.base_url)
        options = dataclasses.replace(OPTIONS, trust_env=True)
    outcome = _same(
        WireRequest("GET", target, Headers.of(("Origin", "https://a.example"))), options
    )
    assert isinstance(outcome, WireResponse)
    assert outcome.status == 200
    sync, asynchronous = server.requests_to(target)
    assert asynchronous == sync


# --- the same bytes on the wire ----------------------------------------------------------------

WIRE = {
    "get": WireRequest("GET", "/a?q=1", Headers.of(("Accept", "*/*"), ("Origin", "https://a.b"))),
    "preflight": WireRequest(
        "OPTIONS",
        "/a",
        Headers.of(
            ("Accept", "*/*"),
            ("Access-Control-Request-Method", "PUT"),
            ("Access-Control-Request-Headers", "content-type,x-api-key"),
            ("Origin", "https://a.b"),
            ("Sec-Fetch-Mode", "cors"),
        ),
    ),
    "put-with-body": WireRequest(
        "PUT", "/a", Headers.of(("Content-Type", "application/json")), body=b'{"a": 1}'
    ),
    "put-without-body": WireRequest("PUT", "/a", Headers()),
    "post-empty-body": WireRequest("POST", "/a", Headers.of(("Accept", "*/*")), body=b""),
    "post": WireRequest("POST", "/a", Headers.of(("Content-Type", "text/plain")), body=b"hi"),
    "delete-without-body": WireRequest("DELETE", "/a", Headers()),
    "custom-method": WireRequest("PURGE", "/a", Headers()),
    "lower-case-patch-without-body": WireRequest("patch", "/a", Headers()),
    "options-with-a-body": WireRequest("OPTIONS", "/a", Headers(), body=b"x"),
    "duplicate-names": WireRequest(
        "GET", "/a", Headers.of(("X-A", "1"), ("x-a", "2"), ("X-A", "3"))
    ),
    "latin-1-value": WireRequest("GET", "/a", Headers.of(("X-Name", "caf\xe9"))),
    "odd-case": WireRequest("GET", "/a", Headers.of(("x-CuStOm", "v"), ("user-agent", "mine/1"))),
    "encoded-path": WireRequest("GET", "/a%20b/%7Ec?x=%2F&y=a+b", Headers()),
    "ipv4-default-port-host": WireRequest("GET", "/", Headers.of(("Cookie", "a=b; c=d"))),
}


def _recording() -> tuple[RawServer, list[bytes]]:
    seen: list[bytes] = []

    def script(conn: socket.socket, _: int) -> None:
        data = b""
        while True:
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            end = data.index(b"\r\n\r\n")
            head, data = data[:end], data[end + 4 :]
            declared = re.search(rb"(?im)^content-length:\s*(\d+)", head)
            size = int(declared.group(1)) if declared else 0
            while len(data) < size:
                data += conn.recv(65536)
            seen.append(head + b"\r\n\r\n" + data[:size])
            data = data[size:]
            conn.sendall(b"HTTP/1.1 204 No Content\r\n\r\n")

    return RawServer(script), seen


@pytest.mark.parametrize("name", WIRE)
def test_the_same_request_bytes_on_the_wire(name: str) -> None:
    server, seen = _recording()
    with server:
        request = dataclasses.replace(WIRE[name], url=server.url(WIRE[name].url))
        sync, asynchronous = _sync(request, OPTIONS), _async(request, OPTIONS)
    assert isinstance(sync, WireResponse)
    assert isinstance(asynchronous, WireResponse)
    sync_bytes, async_bytes = seen
    assert async_bytes == sync_bytes
    assert asynchronous.sent_headers == sync.sent_headers == on_the_wire(request)


# --- deadlines, retries, stopping -------------------------------------------------------------

OK = b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: 2\r\n\r\nok"


def _timed(request: WireRequest, options: ProbeOptions) -> tuple[float, Outcome]:
    started = time.monotonic()
    outcome = _async(request, options)
    return time.monotonic() - started, outcome


def _headers_trickled(conn: socket.socket, _: int) -> None:
    read_request(conn)
    trickle(conn, OK, 0.1)


def _body_trickled(conn: socket.socket, _: int) -> None:
    read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
    trickle(conn, b"x" * 100, 0.1)


def _silent(conn: socket.socket, _: int) -> None:
    read_request(conn)
    time.sleep(3)


@pytest.mark.parametrize(
    ("script", "words"),
    [
        (
            _headers_trickled,
            "no complete response within 0.5 s: the server sent headers too slowly",
        ),
        (_body_trickled, "no complete response within 0.5 s: the server sent its body too slowly"),
        (_silent, "timed out: no response within 0.5 s"),
    ],
    ids=["headers", "body", "silent"],
)
@pytest.mark.parametrize("http2", [False, True], ids=["aiohttp", "httpcore"])
def test_the_whole_request_is_bounded_by_its_budget(
    script: Callable[[socket.socket, int], None], words: str, http2: bool
) -> None:
    options = dataclasses.replace(OPTIONS, timeout=0.5, http2=http2)
    with RawServer(script) as server:
        request = WireRequest("GET", server.url(), Headers())
        seconds, outcome = _timed(request, options)
        assert _comparable(outcome) == _comparable(_sync(request, options))
    assert isinstance(outcome, tuple)
    assert outcome[0] is FailureKind.TIMEOUT
    assert outcome[1].startswith(words)
    assert seconds < 0.5 + SLACK


def _closes_after_first(conn: socket.socket, number: int) -> None:
    read_request(conn)
    conn.sendall(OK)
    if number == 0:
        read_request(conn)
        return  # closed without a response
    while read_request(conn):
        conn.sendall(OK)


def _twice(server: RawServer, method: str, http2: bool = False) -> tuple[Outcome, Outcome]:
    async def main() -> tuple[Outcome, Outcome]:
        async with AsyncProber(dataclasses.replace(OPTIONS, timeout=2, http2=http2)) as prober:
            first = await prober.send(WireRequest("OPTIONS", server.url(), Headers()))
            try:
                second: Outcome = await prober.send(
                    WireRequest(method, server.url(), Headers(), body=b"{}")
                )
            except ProbeError as error:
                second = error.kind, error.message
            return first, second

    return run_async(main())


@pytest.mark.parametrize(
    ("method", "retried"),
    [
        *[(method, True) for method in ("GET", "PUT", "DELETE", "OPTIONS", "HEAD")],
        *[(method, False) for method in ("POST", "PATCH")],
    ],
)
def test_a_stale_kept_alive_connection_is_retried_once_for_idempotent_methods(
    method: str, retried: bool
) -> None:
    with RawServer(_closes_after_first) as server:
        first, second = _twice(server, method)
    assert isinstance(first, WireResponse)
    assert not first.retried
    if retried:
        assert isinstance(second, WireResponse)
        assert (second.status, second.retried) == (200, True)
        assert server.accepted == 2
    else:
        assert isinstance(second, tuple)
        assert second[0] is FailureKind.PROTOCOL
        assert server.accepted == 1


@pytest.mark.parametrize(("method", "retried"), [("GET", True), ("POST", False)])
def test_httpx_own_transport_retries_a_stale_connection_alike(method: str, retried: bool) -> None:
    with RawServer(_closes_after_first) as server:
        first, second = _twice(server, method, http2=True)
    assert isinstance(first, WireResponse)
    assert isinstance(second, WireResponse) is retried
    assert server.accepted == (2 if retried else 1)


def test_a_new_connection_closed_unanswered_is_not_retried() -> None:
    with RawServer(_answers(b"")) as server:
        outcome = _async(WireRequest("GET", server.url(), Headers()), OPTIONS)
    assert outcome == (FailureKind.PROTOCOL, "Server disconnected without sending a response.")
    assert server.accepted == 1


@pytest.mark.parametrize("caller", ["task", "thread"])
def test_abort_fails_every_request_in_flight_at_once(caller: str) -> None:
    async def main(url: str) -> tuple[float, list[object], object]:
        async with AsyncProber(dataclasses.replace(OPTIONS, timeout=10)) as prober:

            async def one() -> object:
                try:
                    return await prober.send(WireRequest("GET", url, Headers()))
                except ProbeError as error:
                    return error.kind, error.message

            sending = [asyncio.create_task(one()) for _ in range(3)]
            await asyncio.sleep(0.3)
            started = time.monotonic()
            if caller == "thread":
                threading.Thread(target=prober.abort).start()
            else:
                prober.abort()
            outcomes = await asyncio.gather(*sending)
            seconds = time.monotonic() - started
            try:
                later: object = await prober.send(WireRequest("GET", url, Headers()))
            except ProbeError as error:
                later = error.kind, error.message
            return seconds, outcomes, later

    with RawServer(_headers_trickled) as server:
        seconds, outcomes, later = run_async(main(server.url()))
    assert seconds < 1
    assert outcomes == [(FailureKind.OTHER, "interrupted: cors-probe is stopping")] * 3
    assert later == (FailureKind.OTHER, "not sent: cors-probe is stopping")


# --- an injected transport -----------------------------------------------------------------------


def test_an_injected_transport_gets_exactly_the_wire_headers() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            302,
            headers=[(b"Location", b"data:,x"), (b"x-a", b"1"), (b"X-A", b"caf\xe9")],
            content=b"moved",
        )

    request = WireRequest(
        "PUT", "http://api.test/v1", Headers.of(("Origin", "https://a.b")), body=b"{}"
    )

    async def main() -> WireResponse:
        async with AsyncProber(OPTIONS, transport=httpx.MockTransport(handler)) as prober:
            return await prober.send(request)

    response = run_async(main())
    assert [(k.decode(), v.decode()) for k, v in seen[0].headers.raw] == list(on_the_wire(request))
    assert seen[0].content == b"{}"
    assert response.status == 302
    assert response.headers.pairs == (
        ("Location", "data:,x"),
        ("x-a", "1"),
        ("X-A", "caf\xe9"),
        ("Content-Length", "5"),  # httpx.Response(content=...) adds it
    )
    assert (response.body, response.body_bytes, response.body_truncated) == (b"moved", 5, False)
    assert response.server_ip is None


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (httpx.ConnectTimeout("timed out"), FailureKind.TIMEOUT),
        (httpx.ConnectError("[Errno 111] Connection refused"), FailureKind.REFUSED),
        (httpx.ConnectError("[Errno -2] Name or service not known"), FailureKind.DNS),
        (httpx.RemoteProtocolError("Server disconnected without sending a response."), None),
    ],
    ids=["timeout", "refused", "dns", "protocol"],
)
def test_an_injected_transport_errors_become_the_same_probe_errors(
    error: httpx.HTTPError, kind: FailureKind | None
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error

    request = WireRequest("GET", "http://api.test/", Headers())

    async def main() -> Outcome:
        async with AsyncProber(OPTIONS, transport=httpx.MockTransport(handler)) as prober:
            try:
                return await prober.send(request)
            except ProbeError as failure:
                return failure.kind, failure.message

    with (
        Prober(OPTIONS, transport=httpx.MockTransport(handler)) as prober,
        pytest.raises(ProbeError) as raised,
    ):
        prober.send(request)
    assert run_async(main()) == (raised.value.kind, raised.value.message)
    assert kind is None or raised.value.kind is kind


def test_run_async_runs_on_uvloop_when_it_imports() -> None:
    uvloop = pytest.importorskip("uvloop")

    async def main() -> type[asyncio.AbstractEventLoop]:
        return type(asyncio.get_running_loop())

    assert run_async(main()) is uvloop.Loop


# --- httpx's own transport: --http2, SOCKS; proxies chosen as httpx chooses -----------------------


def test_http2_goes_through_httpx_and_answers_alike(server: ScriptedServer) -> None:
    """h2 is negotiated over TLS only: over http:// both probes speak HTTP/1.1, through httpcore."""
    server.route("/r", REPLIES["duplicates-and-case"])
    request = WireRequest("GET", server.url("/r"), Headers.of(("Origin", "https://a.example")))
    outcome = _same(request, dataclasses.replace(OPTIONS, http2=True))
    assert isinstance(outcome, WireResponse)
    assert outcome.server_ip == "127.0.0.1"


def test_a_socks_proxy_that_is_not_listening_fails_alike() -> None:
    options = dataclasses.replace(OPTIONS, proxy=f"socks5://127.0.0.1:{_free_port()}")
    outcome = _same(WireRequest("GET", "http://api.cors-probe.invalid/", Headers()), options)
    assert outcome == (FailureKind.REFUSED, "connection refused")


def test_a_proxy_httpx_cannot_use_is_the_same_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALL_PROXY", "ftp://127.0.0.1:2121")
    options = dataclasses.replace(OPTIONS, trust_env=True)
    request = WireRequest("GET", "http://127.0.0.1:1/", Headers())
    with pytest.raises(UsageError) as sync:
        _sync(request, options)
    with pytest.raises(UsageError) as asynchronous:
        _async(request, options)
    assert str(asynchronous.value) == str(sync.value)
    assert str(sync.value).startswith("cannot use the proxy: Unknown scheme for proxy URL")


ENVIRONMENTS = {
    "http-only": {"HTTP_PROXY": "http://p:1"},
    "https-only": {"HTTPS_PROXY": "http://s:2"},
    "all": {"ALL_PROXY": "http://a:3", "HTTP_PROXY": "http://p:1"},
    "no-proxy-domain": {"HTTP_PROXY": "http://p:1", "NO_PROXY": "example.com,127.0.0.1"},
    "no-proxy-dot": {"HTTP_PROXY": "p:1", "NO_PROXY": ".example.com"},
    "no-proxy-star": {"HTTP_PROXY": "http://p:1", "NO_PROXY": "*"},
}
URLS = (
    "http://example.com/",
    "http://api.example.com/",
    "https://example.com/",
    "http://127.0.0.1:8080/",
    "http://other.test/",
)
EXPECTED = {  # what httpx.Client mounts for each (its documented rules), per URL above
    "http-only": ["http://p:1", "http://p:1", None, "http://p:1", "http://p:1"],
    "https-only": [None, None, "http://s:2", None, None],
    "all": ["http://p:1", "http://p:1", "http://a:3", "http://p:1", "http://p:1"],
    "no-proxy-domain": [None, None, None, None, "http://p:1"],
    "no-proxy-dot": ["http://p:1", None, None, "http://p:1", "http://p:1"],
    "no-proxy-star": [None] * 5,
}


@pytest.mark.parametrize("name", ENVIRONMENTS)
def test_the_environment_proxy_is_chosen_as_httpx_chooses(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cors_probe.probe.proxies import ProxyChoice

    for variable, value in ENVIRONMENTS[name].items():
        monkeypatch.setenv(variable, value)
    choose = ProxyChoice(None, trust_env=True)
    assert [choose(httpx.URL(url)) for url in URLS] == EXPECTED[name]
    assert ProxyChoice("http://x:9", trust_env=True)(httpx.URL(URLS[0])) == "http://x:9"
    assert ProxyChoice(None, trust_env=False)(httpx.URL(URLS[0])) is None


@pytest.mark.parametrize("probe", ["sync", "async"])
def test_no_cookie_jar_a_cookie_set_by_one_response_is_never_sent_with_the_next(
    server: ScriptedServer, probe: str
) -> None:
    """The browser's cookies are the request's (`Cookie` in its headers), never a client jar's:
    a Set-Cookie on a preflight's answer must not ride on the actual request (credentials mode
    `omit` sends none), with either probe."""
    server.route("/set", Reply(200, [("Set-Cookie", "sid=1; Path=/")]))
    server.route("/next", Reply(204))
    first = WireRequest("GET", server.url("/set"), Headers())
    second = WireRequest("GET", server.url("/next"), Headers())

    async def main() -> WireResponse:
        async with AsyncProber(OPTIONS) as prober:
            await prober.send(first)
            return await prober.send(second)

    if probe == "async":
        response = run_async(main())
    else:
        with Prober(OPTIONS) as prober:
            prober.send(first)
            response = prober.send(second)
    (received,) = server.requests_to("/next")
    assert received.header("Cookie") is None
    assert response.sent_headers is not None
    assert "Cookie" not in response.sent_headers


def test_the_aiohttp_transport_serves_an_httpx_client_and_keeps_its_time_outs(
    server: ScriptedServer,
) -> None:
    """The transport on its own, under httpx.AsyncClient: raw headers as sent, the body, the
    server's address; httpx's read time-out as httpx.ReadTimeout."""
    from cors_probe.probe.aiohttp_transport import AiohttpTransport
    from cors_probe.probe.watch import SERVER_IP

    server.route("/r", REPLIES["duplicates-and-case"])
    server.route("/slow", Reply(200, delay=0.6))

    async def main() -> tuple[httpx.Response, bytes, type[BaseException]]:
        transport = AiohttpTransport(verify=False, trust_env=False)
        async with httpx.AsyncClient(transport=transport, timeout=0.2) as client:
            response = await client.get(server.url("/r"))
            body = await response.aread()
            with pytest.raises(httpx.TimeoutException) as raised:
                await client.get(server.url("/slow"))
        return response, body, raised.type

    response, body, timed_out = run_async(main())
    assert response.headers.raw[:3] == [
        (b"access-control-allow-origin", b"https://a.example"),
        (b"Access-Control-Allow-Origin", b"https://b.example"),
        (b"X-CuStOm", b"caf\xe9"),
    ]
    assert body == b""
    assert response.extensions[SERVER_IP] == "127.0.0.1"
    assert timed_out is httpx.ReadTimeout


def test_the_aiohttp_transport_on_its_own_takes_the_environment_proxy(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cors_probe.probe.aiohttp_transport import AiohttpTransport

    target = "http://api.cors-probe.invalid/p"
    server.route(target, Reply(204))
    monkeypatch.setenv("HTTP_PROXY", server.base_url)

    async def main() -> int:
        transport = AiohttpTransport(verify=False, trust_env=True)
        async with httpx.AsyncClient(transport=transport, trust_env=False) as client:
            return (await client.get(target)).status_code

    assert run_async(main()) == 204
    assert len(server.requests_to(target)) == 1


def test_an_ipv6_loopback_server_answers_alike() -> None:
    try:
        server = ScriptedServer(host="::1").start()
    except OSError:
        pytest.skip("no IPv6 loopback")
    with server:
        server.route("/r", REPLIES["200"])
        outcome = _same(WireRequest("GET", server.url("/r"), Headers()))
    assert isinstance(outcome, WireResponse)
    assert outcome.server_ip == "::1"
    assert outcome.sent_headers is not None
    assert outcome.sent_headers.get("Host") == f"[::1]:{server.port}"
