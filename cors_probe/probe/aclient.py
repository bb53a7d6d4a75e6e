"""The asynchronous probe: `cors-probe run` sends thousands of requests through one of these.

Same contract as the synchronous `Prober` (probe/client.py), request for request: the same
bytes on the wire (`probe.wire.on_the_wire`: Host, Content-Length: 0 for an empty POST/PUT/PATCH,
Connection, User-Agent unless the request has one, the request's headers, Content-Length), the
same WireResponse (raw header pairs, no redirect followed, capped body, the first BODY_KEPT
bytes, the server's address) and the same ProbeError kinds and words. Only the cost differs:
requests go straight to an httpx transport (no httpx.AsyncClient: no cookie jar, no client
layer), by default `AiohttpTransport`; httpx's own (httpcore) serves `--http2` and SOCKS proxies.
To `AiohttpTransport` a request whose header text is ASCII goes without httpx's Request and
Response around it (`AiohttpTransport.exchange`: the same head, the same answer, less CPU);
any other transport, a test's included, gets an httpx.Request.

`check` keeps the synchronous Prober: aiohttp costs ~80 ms to import, which one check would pay
for nothing.
"""

from __future__ import annotations

import asyncio
import re
import ssl
import time
from collections.abc import AsyncIterable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, cast

import httpx

from cors_probe.errors import ProbeError, UsageError
from cors_probe.model import BODY_KEPT, FailureKind, Headers, WireRequest, WireResponse
from cors_probe.probe.client import (
    _DISCONNECTED,
    _RETRIED_METHODS,
    ProbeOptions,
    _classify,
    _encode,
    _server_ip,
    _slow,
)
from cors_probe.probe.httpcore_watch import watch
from cors_probe.probe.proxies import ProxyChoice, is_socks
from cors_probe.probe.watch import PROXY, SERVER_IP, Watched, current
from cors_probe.probe.wire import USER_AGENT

if TYPE_CHECKING:
    from cors_probe.probe.aiohttp_transport import AiohttpTransport

INTERRUPTED = "interrupted: cors-probe is stopping"
NOT_SENT = "not sent: cors-probe is stopping"
_URLS_KEPT = 1024
"""Parsed URLs kept for reuse (a check's preflight and request share theirs); also the bound
on the origins whose `_Place` is kept."""
_PLAIN_REST = re.compile(
    r"(?:/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*)?"
    r"(?:\?(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*)?"
)
"""A path and query httpx.URL leaves as they are: unreserved and sub-delimiter characters,
":@/" (and "?" in the query), valid percent-escapes; no fragment, no space, nothing httpx would
percent-encode (RFC 3986 section 3.3, httpx._urlparse). Dot segments are refused apart
(`_plain`): httpx removes them."""


class _Retry(Exception):
    """The first attempt met a kept-alive connection the server had closed: send again."""


@dataclass(slots=True)
class _Progress:
    """How far one request got: which part of the response was awaited, and the bytes of it."""

    phase: str = "headers"
    """"headers" until the response's head is in, then "body"."""
    watched: Watched | None = None
    body: int = 0
    """Body bytes read so far."""

    def too_slow(self, budget: float) -> str:
        """What came too slowly, in the synchronous probe's words."""
        if self.phase == "body":
            return _slow(budget, "its body", self.body)
        received = self.watched.received if self.watched is not None else 0
        if received:
            return _slow(budget, "headers", received)
        return f"timed out: no response within {budget:.3g} s"


class AsyncProber:
    """Sends WireRequests concurrently over pooled connections, from inside one event loop.

    `transport`: an httpx.AsyncBaseTransport for every request (tests); None: the prober's own,
    built on first use per TLS need (`open()` builds them up front). Create, use and close it in
    the same running event loop.
    """

    def __init__(
        self, options: ProbeOptions, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._options = options
        self._injected = transport
        self._transports: dict[tuple[bool, str | None, bool], httpx.AsyncBaseTransport] = {}
        self._contexts: dict[bool, ssl.SSLContext | bool] = {}
        self._proxies: ProxyChoice | None = None
        self._urls: dict[str, httpx.URL] = {}
        self._places: dict[str, _Place | None] = {}
        self._in_flight: set[asyncio.Task[object]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self._aborted = False

    # --- transports ----------------------------------------------------------------------------

    def _url(self, text: str) -> httpx.URL:
        url = self._urls.get(text)
        if url is None:
            if len(self._urls) >= _URLS_KEPT:
                self._urls.clear()
            url = self._urls[text] = httpx.URL(text)
        return url

    def _place(self, origin: str) -> _Place | None:
        """Where the requests to `origin` ("scheme://authority", `_origin`) go, parsed once per
        origin; None when httpx refuses or rewrites the origin's text (such URLs take the slow
        path, which parses and words the error as before). UsageError as `_route`."""
        if origin in self._places:
            return self._places[origin]
        if len(self._places) >= _URLS_KEPT:
            self._places.clear()
        place: _Place | None = None
        try:
            url = httpx.URL(origin)
        except httpx.InvalidURL:
            url = None
        if url is not None and str(url) == origin:
            transport, proxy, ours = self._route(url)
            if ours:
                place = _Place.of(url, transport, proxy)
        self._places[origin] = place
        return place

    def _verify(self, secure: bool) -> ssl.SSLContext | bool:
        """The TLS context for https (as the synchronous probe builds it), False for http."""
        context = self._contexts.get(secure)
        if context is not None:
            return context
        context = False
        if secure and self._options.verify:
            try:
                if self._options.cacert:
                    context = ssl.create_default_context(cafile=self._options.cacert)
                else:
                    context = httpx.create_ssl_context(
                        verify=True, trust_env=self._options.trust_env
                    )
            except (ssl.SSLError, OSError) as error:
                reason = getattr(error, "reason", None) or error
                where = (
                    f"--cacert {self._options.cacert!r}"
                    if self._options.cacert
                    else "SSL_CERT_FILE / SSL_CERT_DIR"
                )
                raise UsageError(
                    f"{where}: not a PEM bundle of CA certificates ({reason})"
                ) from None
        self._contexts[secure] = context
        return context

    def _route(self, url: httpx.URL) -> tuple[httpx.AsyncBaseTransport, str | None, bool]:
        """(the transport for `url`, the proxy the request names for it, whether it is our
        AiohttpTransport, which takes a request without httpx's Request around it)."""
        if self._injected is not None:
            return self._injected, None, False
        if self._proxies is None:
            self._proxies = ProxyChoice(self._options.proxy, self._options.trust_env)
        proxy = self._proxies(url)
        secure = url.scheme == "https"
        own = self._options.http2 or is_socks(proxy)
        key = (secure, proxy if own else None, own)
        transport = self._transports.get(key)
        if transport is None:
            transport = self._transports[key] = self._new_transport(secure, proxy, own)
        return transport, None if own else proxy, not own

    def _new_transport(
        self, secure: bool, proxy: str | None, own: bool
    ) -> httpx.AsyncBaseTransport:
        verify = self._verify(secure)
        if own:
            try:
                transport = httpx.AsyncHTTPTransport(
                    verify=verify,
                    http2=self._options.http2,
                    trust_env=self._options.trust_env,
                    proxy=proxy,
                    limits=httpx.Limits(
                        max_connections=self._options.max_connections,
                        max_keepalive_connections=self._options.max_connections,
                    ),
                )
            except (ValueError, ImportError) as error:
                raise UsageError(f"cannot use the proxy: {error}") from None
            return watch(transport)
        return self._aiohttp(verify)

    def _aiohttp(self, verify: ssl.SSLContext | bool) -> AiohttpTransport:
        from cors_probe.probe.aiohttp_transport import AiohttpTransport

        return AiohttpTransport(
            verify=verify,
            trust_env=self._options.trust_env,
            max_connections=self._options.max_connections,
        )

    async def open(self, urls: Iterable[str]) -> None:
        """Build now the transports these URLs need (aiohttp imported, CA bundle loaded, proxy
        chosen), so that the first requests of a paced run leave on their slots.

        The transport and proxy depend on a URL's scheme, host and port alone, so each origin is
        parsed once (a policy of 20,000 paths on one host: one URL parsed, not 20,000).
        UsageError for a --cacert that is not a CA bundle or a proxy httpx cannot use."""
        self._loop = asyncio.get_running_loop()
        if self._closed:
            return
        for origin in dict.fromkeys(_origin(url) for url in urls):
            self._route(httpx.URL(origin))

    # --- one request ---------------------------------------------------------------------------

    async def send(self, request: WireRequest, timeout: float | None = None) -> WireResponse:
        """One round trip; `timeout` (seconds) overrides the options' for this request.

        The time-out is the whole request's budget: connecting, sending, the response's head and
        the capped body, however slowly the server trickles them. A kept-alive connection the
        server closed before answering is retried once on a new one for an idempotent method
        (the response then says `retried`), as browsers do. Raises ProbeError exactly as
        `Prober.send` does; UsageError for a bad --cacert or proxy."""
        if self._closed:
            raise ProbeError(FailureKind.OTHER, NOT_SENT)
        budget = self._options.timeout if timeout is None else timeout
        outgoing = self._fast(request) or self._slow(request)
        task = asyncio.current_task()
        if task is not None:
            self._in_flight.add(task)
        progress = _Progress()
        try:
            async with asyncio.timeout(budget):
                try:
                    return await self._attempt(outgoing, request, progress, False)
                except _Retry:
                    return await self._attempt(outgoing, request, progress, True)
        except TimeoutError:
            if self._aborted:
                raise ProbeError(FailureKind.OTHER, INTERRUPTED) from None
            raise ProbeError(FailureKind.TIMEOUT, progress.too_slow(budget)) from None
        except asyncio.CancelledError:
            if self._aborted and task is not None:
                task.uncancel()
                raise ProbeError(FailureKind.OTHER, INTERRUPTED) from None
            raise
        finally:
            if task is not None:
                self._in_flight.discard(task)

    def _fast(self, request: WireRequest) -> _Exchange | None:
        """`request` straight to our aiohttp transport, its URL's text as it is, when httpx.URL
        would leave that text unchanged (an origin as httpx prints it, then a `_plain` path and
        query) and its head is ASCII; else None. Only the origin is parsed (once per origin):
        tests/probe/test_place.py holds the text, Host and proxy to the whole URL's."""
        text = request.url
        origin = _origin(text)
        place = self._place(origin)
        if place is None or not _plain(text[len(origin) :]):
            return None
        return place.exchange(request, text)

    def _slow(self, request: WireRequest) -> _Outgoing:
        """`request` with its URL parsed by httpx: to our aiohttp transport when its head is
        ASCII, else as an httpx.Request to the transport its URL routes to."""
        url = self._url(request.url)
        transport, proxy, ours = self._route(url)
        exchange = _Place.of(url, transport, proxy).exchange(request, str(url)) if ours else None
        return exchange or _Wrapped(transport, _built(request, url, proxy))

    async def _attempt(
        self, outgoing: _Outgoing, request: WireRequest, progress: _Progress, retried: bool
    ) -> WireResponse:
        watched = progress.watched = Watched()
        progress.phase = "headers"
        token = current.set(watched)
        started = time.perf_counter()
        try:
            got = await outgoing.send()
        except (httpx.HTTPError, OSError) as exc:
            if self._may_retry(request, watched, exc, retried):
                raise _Retry from exc
            raise self._failure(exc, watched) from exc
        finally:
            current.reset(token)
        elapsed = (time.perf_counter() - started) * 1000
        progress.phase = "body"
        try:
            read, truncated, kept = await self._drain(got, progress)
        finally:
            await got.aclose()
        return WireResponse(
            status=got.status,
            headers=Headers(_text(got.raw)),
            reason=got.reason,
            http_version=got.http_version,
            elapsed_ms=elapsed,
            body_bytes=read,
            body_truncated=truncated,
            server_ip=got.server_ip,
            sent_headers=outgoing.sent(),
            retried=retried,
            body=kept,
        )

    def _may_retry(
        self, request: WireRequest, watched: Watched, exc: BaseException, retried: bool
    ) -> bool:
        """A kept-alive connection closed (or reset) by the server before any response byte,
        for an idempotent method, first attempt only (the synchronous probe's rule)."""
        return (
            not retried
            and not self._aborted
            and request.method in _RETRIED_METHODS
            and watched.used
            and not watched.fresh
            and watched.received == 0
            and isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError)
        )

    def _failure(self, exc: BaseException, watched: Watched) -> ProbeError:
        if self._aborted:
            return ProbeError(FailureKind.OTHER, INTERRUPTED)
        kind, message = _classify(exc)
        if watched.received and message.startswith(_DISCONNECTED):
            count = f"{watched.received} byte{'s' if watched.received != 1 else ''}"
            message = f"the server closed the connection after {count} of an incomplete response"
        return ProbeError(kind, message)

    async def _drain(self, got: _Got, progress: _Progress) -> tuple[int, bool, bytes]:
        """Read the body up to the cap and no further: (bytes read, whether more was left, the
        first `BODY_KEPT` bytes, as received). A body cut short by the server (closed, a bad
        chunk) keeps the response, marked truncated, as the synchronous probe does."""
        cap = self._options.body_cap
        keep = min(cap, BODY_KEPT)
        content = got.content()
        if content is not None:  # an in-memory response (test transports)
            return min(len(content), cap), len(content) > cap, content[:keep]
        read = 0
        kept = bytearray()
        try:
            async for chunk in got.stream():
                if len(kept) < keep:
                    kept += chunk[: keep - len(kept)]
                read += len(chunk)
                progress.body = read
                if read >= cap:
                    return cap, True, bytes(kept)
        except httpx.TimeoutException as exc:  # a transport's own read time-out
            raise ProbeError(*_classify(exc)) from None
        except (httpx.HTTPError, OSError):
            if self._aborted:
                raise ProbeError(FailureKind.OTHER, INTERRUPTED) from None
            return read, True, bytes(kept)
        return read, False, bytes(kept)

    # --- stopping ------------------------------------------------------------------------------

    def abort(self) -> None:
        """Stop: every request in flight fails at once with "interrupted: cors-probe is
        stopping", and no further request is sent. Callable from a signal handler, another
        task of the loop, or another thread."""
        self._aborted = self._closed = True
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        loop = self._loop
        if running is None and loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._cancel_in_flight)
        else:
            self._cancel_in_flight()

    def _cancel_in_flight(self) -> None:
        for task in list(self._in_flight):
            task.cancel()

    async def aclose(self) -> None:
        """Close every connection; later requests fail with "not sent: cors-probe is stopping"."""
        self._closed = True
        transports = list(self._transports.values())
        self._transports.clear()
        for transport in transports:
            await transport.aclose()

    async def __aenter__(self) -> AsyncProber:
        self._loop = asyncio.get_running_loop()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()


_CONNECTION = ("Connection", "keep-alive")
_USER_AGENT = ("User-Agent", USER_AGENT)
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def _origin(url: str) -> str:
    """ "scheme://authority" of an absolute URL (what chooses its transport and proxy); the URL
    itself when it has no "://"."""
    scheme, separator, rest = url.partition("://")
    if not separator:
        return url
    for end in "/?#":
        rest = rest.partition(end)[0]
    return f"{scheme}://{rest}"


def _plain(rest: str) -> bool:
    """Whether httpx.URL keeps `rest` (a URL's path and query, after its origin) as it is."""
    return "/." not in rest and _PLAIN_REST.fullmatch(rest) is not None


@dataclass(frozen=True, slots=True)
class _Place:
    """Where an origin's requests go on the fast path: our aiohttp transport, through `proxy`
    (None: direct), with `host` ("host[:port]" as httpx prints its netloc) for the Host header
    and `secure` for an https:// origin."""

    transport: AiohttpTransport
    proxy: str | None
    host: str
    secure: bool

    @classmethod
    def of(cls, url: httpx.URL, transport: httpx.AsyncBaseTransport, proxy: str | None) -> _Place:
        """The place of `url`'s origin, `transport` being our AiohttpTransport (`_route`)."""
        return cls(
            cast("AiohttpTransport", transport),
            proxy,
            url.netloc.decode("latin-1"),
            url.scheme == "https",
        )

    def exchange(self, request: WireRequest, url: str) -> _Exchange | None:
        """`request` to `url` (its text as httpx prints it) from here, None when its head is not
        ASCII (`_exact_head`)."""
        head = _exact_head(request, self.host)
        if head is None:
            return None
        return _Exchange(self.transport, request, url, self.secure, head, self.proxy)


def _ordered(request: WireRequest, host: str) -> list[tuple[str, str]]:
    """The header pairs httpx.Client sends for the synchronous probe, in its order: Host first
    (then Content-Length: 0 for an empty POST/PUT/PATCH), Connection, its User-Agent unless the
    request has one, the request's own, then Content-Length for a body (httpx's
    Request._prepare). Text, as the request holds it; `host` is the URL's netloc as httpx
    prints it. See probe/wire.py."""
    pairs = request.headers.pairs
    names = {name.lower() for name, _ in pairs}
    ordered: list[tuple[str, str]] = []
    if "host" not in names:
        ordered.append(("Host", host))
    body = request.body
    framed = "content-length" in names or "transfer-encoding" in names
    if not body and not framed and request.method.upper() in _BODY_METHODS:
        ordered.append(("Content-Length", "0"))
    ordered.append(_CONNECTION)
    if "user-agent" not in names:
        ordered.append(_USER_AGENT)
    ordered += pairs
    if body and not framed:
        ordered.append(("Content-Length", str(len(body))))
    return ordered


def _exact_head(request: WireRequest, host: str) -> list[tuple[str, str]] | None:
    """`_ordered`'s pairs for AiohttpTransport.exchange, None when a name or value is not ASCII
    (aiohttp writes header text as UTF-8; such a request goes through `_built`, whose bytes
    are Latin-1, and the transport hands it to httpx's own)."""
    ordered = _ordered(request, host)
    if not "".join(chain.from_iterable(ordered)).isascii():
        return None
    return ordered


def _built(request: WireRequest, url: httpx.URL, proxy: str | None) -> httpx.Request:
    """`request` as the httpx.Request httpx.Client builds for the synchronous probe: `_ordered`'s
    pairs as bytes (`client._encode`: Latin-1, UTF-8 beyond), with the body as a stream, so
    that httpx does not normalise the headers twice. tests/probe/test_aclient.py holds the
    bytes to the sync's."""
    pairs = _ordered(request, url.netloc.decode("latin-1"))
    try:
        raw = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in pairs]
    except UnicodeEncodeError:
        raw = [(_encode(name), _encode(value)) for name, value in pairs]
    return httpx.Request(
        request.method,
        url,
        headers=raw,
        stream=httpx.ByteStream(request.body or b""),
        extensions={PROXY: proxy},
    )


class _Got(Protocol):
    """A response's head as received, its body still to read: from our aiohttp transport
    (`aiohttp_transport.Answer`) or from any httpx transport (`_Response`)."""

    @property
    def status(self) -> int: ...
    @property
    def raw(self) -> Sequence[tuple[bytes, bytes]]: ...
    @property
    def reason(self) -> str: ...
    @property
    def http_version(self) -> str: ...
    @property
    def server_ip(self) -> str | None: ...
    def content(self) -> bytes | None:
        """The whole body when it is already in memory (a test transport's), else None."""

    def stream(self) -> AsyncIterable[bytes]:
        """The body's chunks as received."""

    async def aclose(self) -> None:
        """Let the connection go (back to the pool when the body was read to its end)."""


@dataclass(slots=True)
class _Response:
    """An httpx.Response as a `_Got`."""

    response: httpx.Response

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def raw(self) -> Sequence[tuple[bytes, bytes]]:
        return self.response.headers.raw

    @property
    def reason(self) -> str:
        return self.response.reason_phrase

    @property
    def http_version(self) -> str:
        return self.response.http_version

    @property
    def server_ip(self) -> str | None:
        return _address(self.response)

    def content(self) -> bytes | None:
        return self.response.content if self.response.is_stream_consumed else None

    def stream(self) -> AsyncIterable[bytes]:
        stream = self.response.stream
        assert isinstance(stream, httpx.AsyncByteStream)
        return stream

    async def aclose(self) -> None:
        await self.response.aclose()


class _Outgoing(Protocol):
    """One request, ready to send (again, on a retry), and the header pairs it puts on the wire."""

    async def send(self) -> _Got: ...
    def sent(self) -> Headers: ...


@dataclass(slots=True)
class _Wrapped:
    """A request as an httpx.Request, through any httpx transport (a test's; httpx's own for
    --http2 and SOCKS; ours, which sends non-ASCII header bytes through httpx's)."""

    transport: httpx.AsyncBaseTransport
    built: httpx.Request

    async def send(self) -> _Got:
        return _Response(await self.transport.handle_async_request(self.built))

    def sent(self) -> Headers:
        return Headers(_text(self.built.headers.raw))


@dataclass(slots=True)
class _Exchange:
    """A request straight to our aiohttp transport: no httpx.Request or Response built (about
    a tenth of the probe's CPU per request); the same bytes on the wire, the same answer."""

    transport: AiohttpTransport
    request: WireRequest
    url: str
    """The URL as httpx prints it (str(httpx.URL(...)))."""
    secure: bool
    """An https:// URL."""
    head: list[tuple[str, str]]
    proxy: str | None

    async def send(self) -> _Got:
        return await self.transport.exchange(
            self.request.method,
            self.url,
            self.secure,
            self.head,
            self.request.body or b"",
            self.proxy,
        )

    def sent(self) -> Headers:
        return Headers(tuple(self.head))


def _text(raw: Sequence[tuple[bytes, bytes]]) -> tuple[tuple[str, str], ...]:
    """Raw header pairs as text, byte for byte (Latin-1), as `client._decode` reads them."""
    return tuple([(name.decode("latin-1"), value.decode("latin-1")) for name, value in raw])


def _address(response: httpx.Response) -> str | None:
    """The server's address: from our aiohttp transport's extension, or httpcore's stream."""
    address = response.extensions.get(SERVER_IP)
    if address is not None:
        return str(address)
    return _server_ip(response)
