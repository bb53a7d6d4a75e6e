"""An httpx transport over one aiohttp ClientSession that puts on the wire exactly the request's
header pairs, and hands back exactly the server's.

`cors-probe run` sends thousands of requests; aiohttp (C parser and writer) costs about a tenth
of the CPU per request of httpx's own async transport (httpcore). But aiohttp, left to itself,
adds Accept, Accept-Encoding, User-Agent and Content-Type, folds header names that differ only in
case, sends `Content-Length: 0` with a bodiless DELETE, re-quotes the URL, keeps cookies and
retries a failed idempotent request even on a new connection: none of which a browser (or the
synchronous probe, over httpx) does. This transport switches each of those off:

- the request's `headers.raw` go out as they are: names with their case, in order, duplicates
  kept, nothing added (`_ExactRequest` sets them just before aiohttp writes the head);
- the URL is sent as httpx encoded it (`yarl.URL(..., encoded=True)`);
- no cookie jar, no redirects, no decompression (`auto_decompress=False`), no retry;
- a header whose bytes are not ASCII goes out as Latin-1, as browsers send a ByteString: aiohttp
  writes header text as UTF-8, so such a (rare) request is sent by httpx's own transport;
- the response's headers are aiohttp's `raw_headers`: the server's bytes, case and duplicates.

Failures are raised as httpx's exception classes with the words httpcore/h11 would have used,
so `client._classify` and `in_words` tell the user the same sentence whichever path sent it.
What the network layer saw of the attempt (a new or kept-alive connection, bytes received, the
server's address) is written to `probe.watch.current` for the prober.
"""

from __future__ import annotations

import errno
import functools
import os
import re
import ssl
from collections.abc import AsyncIterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import aiohttp
import httpx
from aiohttp.client_proto import ResponseHandler
from multidict import CIMultiDict
from yarl import URL

from cors_probe.probe.httpcore_watch import watch
from cors_probe.probe.proxies import ProxyChoice, is_socks
from cors_probe.probe.watch import PROXY, SERVER_IP, Watched, current

if TYPE_CHECKING:
    from aiohttp.connector import Connection

_SKIPPED = ("Accept", "Accept-Encoding", "User-Agent", "Content-Type")
"""Headers aiohttp would add by itself; the request's own are sent, never aiohttp's."""

_HEAD_MAX = 100 * 1024
"""httpcore's bound on a response head (H11_MAX_INCOMPLETE_EVENT_SIZE), in bytes."""

_exact: ContextVar[CIMultiDict[str]] = ContextVar("cors_probe_exact_headers")
"""The head of the request the running task is sending, as it must go on the wire."""


class _CountingHandler(ResponseHandler):
    """aiohttp's protocol for one connection, counting the bytes each attempt receives.

    The response's head is handed to aiohttp's parser apart from the body bytes that came with
    it: llhttp stops at the first bad byte and aiohttp then drops the whole read, head included,
    where httpx (h11) keeps a head that arrived whole and only the body is cut short (a bad
    chunk). CORS judges the head; the browser's fetch() resolves before it reads the body."""

    watched: Watched | None = None
    """The attempt whose response this connection is receiving."""
    requests: int = 0
    """Requests sent over this connection so far."""
    server_ip: str | None = None
    """The address this connection is connected to."""

    def data_received(self, data: bytes) -> None:
        watched = self.watched
        if watched is None:
            super().data_received(data)
            return
        watched.received += len(data)
        if not watched.head:
            end = data.find(b"\r\n\r\n")
            size = 4
            if end < 0:
                end, size = data.find(b"\n\n"), 2
            if end >= 0:
                watched.head = True
                cut = end + size
                if cut < len(data):
                    super().data_received(data[:cut])
                    data = data[cut:]
        super().data_received(data)
        error = self.exception()
        payload = self._payload
        if error is not None and payload is not None and not payload.is_eof():
            # a bad body (chunk) after a good head: aiohttp would leave the body waiting; end it
            # here, its bytes so far readable, and say why at its end (`_Body`)
            watched.broken = one_line(str(getattr(error, "message", error)))
            payload.feed_eof()


class _Connector(aiohttp.TCPConnector):
    """aiohttp's TCP connector whose connections count what they receive."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        # aiohttp 3.x builds each connection's protocol with this factory (connector.py)
        factory = functools.partial(_CountingHandler, loop=self._loop)
        self._factory = cast("functools.partial[ResponseHandler]", factory)


class _ExactRequest(aiohttp.ClientRequest):
    """aiohttp's request, with the head set to the exact pairs just before it is written."""

    async def send(self, conn: Connection) -> aiohttp.ClientResponse:
        self.headers = _exact.get()
        protocol = conn.protocol
        watched = current.get()
        if watched is not None and isinstance(protocol, _CountingHandler):
            watched.used = True
            watched.fresh = protocol.requests == 0
            if watched.fresh:
                transport = conn.transport
                peer = transport.get_extra_info("peername") if transport is not None else None
                protocol.server_ip = str(peer[0]) if isinstance(peer, tuple) and peer else None
            protocol.requests += 1
            protocol.watched = watched
            watched.server_ip = protocol.server_ip
        return await super().send(conn)


class _Body(httpx.AsyncByteStream):
    """The response body as aiohttp reads it, chunk by chunk, as received (not decoded)."""

    def __init__(self, response: aiohttp.ClientResponse, watched: Watched) -> None:
        self._response = response
        self._watched = watched

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self  # an iterator, not a generator: left early, nothing is left to finalise

    async def __anext__(self) -> bytes:
        try:
            chunk = await self._response.content.readany()
        except aiohttp.ClientError as error:
            raise _as_httpx(error) from None
        except TimeoutError:
            raise httpx.ReadTimeout("timed out") from None
        if not chunk:
            if self._watched.broken is not None:
                raise httpx.RemoteProtocolError(self._watched.broken)
            raise StopAsyncIteration
        return chunk

    async def aclose(self) -> None:
        response = self._response
        if response.content.at_eof():
            response.release()  # the connection goes back to the pool
        else:
            response.close()  # a body left unread: the connection cannot carry another request


def _os_words(error: BaseException | None) -> str:
    """An OSError as httpcore words it ("[Errno 111] Connection refused")."""
    if isinstance(error, ssl.SSLError):
        return str(error)
    if isinstance(error, OSError) and error.errno is not None:
        if isinstance(error, ConnectionRefusedError):
            return f"[Errno {error.errno}] {os.strerror(error.errno)}"
        return str(error) if error.strerror else f"[Errno {error.errno}] {os.strerror(error.errno)}"
    return str(error) if error is not None else ""


_DISCONNECTED = "Server disconnected without sending a response."
"""httpcore's words for a connection closed before any byte of a response."""

_LLHTTP = re.compile(
    r"(?:Bad status line:\s*)?(?P<reason>[^\n]*?):?\n\n  (?P<data>.*)\n[ ^]*", re.S
)
"""llhttp's error as aiohttp words it: "Reason:\\n\\n  b'the line'\\n      ^" (a caret under the
byte it stopped at), with "Bad status line:" before a bad status line."""


def one_line(message: str) -> str:
    """aiohttp's parser error on one line, "Reason: b'the line'", for `in_words` to tell."""
    match = _LLHTTP.fullmatch(message)
    if match is None:
        return message
    status_line = "Bad status line: " if message.startswith("Bad status line:") else ""
    return f"{status_line}{match['reason']}: {match['data']}"


def _as_httpx(error: BaseException) -> httpx.HTTPError:
    """aiohttp's exception as the httpx exception (class and words) httpcore would raise."""
    if isinstance(error, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(str(error) or "timed out")
    if isinstance(error, aiohttp.ServerTimeoutError | TimeoutError):
        return httpx.ReadTimeout(str(error) or "timed out")
    if isinstance(error, aiohttp.ClientConnectorCertificateError):
        return httpx.ConnectError(_os_words(error.certificate_error))
    if isinstance(error, aiohttp.ClientConnectorError):
        return httpx.ConnectError(_os_words(error.os_error))
    if isinstance(error, aiohttp.ClientSSLError):
        return httpx.ConnectError(_os_words(error.__cause__) or str(error))
    if isinstance(error, aiohttp.ClientProxyConnectionError):
        return httpx.ProxyError(str(error))
    if isinstance(error, aiohttp.ServerDisconnectedError):
        return httpx.RemoteProtocolError(_DISCONNECTED)
    if isinstance(error, aiohttp.ClientResponseError):  # a head aiohttp's parser refused
        cause = error.__cause__
        return httpx.RemoteProtocolError(one_line(str(getattr(cause, "message", error.message))))
    if isinstance(error, aiohttp.ClientPayloadError):
        return httpx.RemoteProtocolError(str(error))
    if isinstance(error, aiohttp.ClientOSError):
        if error.errno in (errno.ECONNRESET, errno.EPIPE):
            return httpx.ReadError(f"[Errno {error.errno}] {os.strerror(error.errno)}")
        return httpx.ReadError(str(error))
    if isinstance(error, ConnectionResetError):  # aiohttp: "Cannot write to closing transport"
        return httpx.WriteError(str(error) or "the server closed the connection")
    if isinstance(error, aiohttp.ClientConnectionError):
        return httpx.ReadError(str(error) or "the connection was lost")
    if isinstance(error, aiohttp.InvalidURL):
        return httpx.UnsupportedProtocol(str(error))
    return httpx.TransportError(str(error) or type(error).__name__)


@dataclass(slots=True)
class Answer:
    """A response as `AiohttpTransport.exchange` hands it back: its head as received, its body
    still to read (`body`: chunks as received; `aclose()` it when done)."""

    status: int
    raw: tuple[tuple[bytes, bytes], ...]
    """The header pairs as the server sent them (names' case, order, duplicates)."""
    http_version: str
    """"HTTP/1.1", "HTTP/1.0"."""
    reason_bytes: bytes
    """The reason phrase, as httpx's `reason_phrase` extension holds it."""
    server_ip: str | None
    body: _Body

    @property
    def reason(self) -> str:
        """The reason phrase as httpx.Response.reason_phrase reads it (ASCII, the rest left out)."""
        return self.reason_bytes.decode("ascii", errors="ignore")

    def content(self) -> None:
        """Never in memory: the body is read from the connection (`stream`)."""
        return None

    def stream(self) -> _Body:
        """The body's chunks as received."""
        return self.body

    async def aclose(self) -> None:
        """The connection back to the pool (the body read to its end), else closed."""
        await self.body.aclose()


class AiohttpTransport(httpx.AsyncBaseTransport):
    """Sends httpx.Requests over one aiohttp ClientSession, byte for byte.

    `verify`: an ssl.SSLContext, True (httpx's default context: certifi, or SSL_CERT_FILE with
    `trust_env`) or False. The proxy of a request: its `cors_probe.proxy` extension when it has
    one (None: direct; the prober chooses), else `proxy` for every request, else with
    `trust_env` the environment's, chosen as httpx.Client chooses (probe/proxies.py); a SOCKS
    proxy is spoken by httpx's own transport. `max_connections` bounds the pool (connections
    in use and kept alive, across hosts). Create it inside the running event loop that uses it.
    UsageError for a proxy httpx cannot use (as the synchronous probe words it).
    """

    def __init__(
        self,
        *,
        verify: ssl.SSLContext | bool = True,
        trust_env: bool = True,
        proxy: str | None = None,
        max_connections: int = 100,
    ) -> None:
        if verify is True:
            verify = httpx.create_ssl_context(verify=True, trust_env=trust_env)
        self._ssl: ssl.SSLContext | bool = verify
        self._trust_env = trust_env
        self._choose = ProxyChoice(proxy, trust_env)
        self._max_connections = max_connections
        self._fallbacks: dict[str | None, httpx.AsyncHTTPTransport] = {}
        self._session = aiohttp.ClientSession(
            connector=_Connector(
                limit=max_connections,
                limit_per_host=0,
                ssl=verify,
                # getaddrinfo in a thread (not aiodns, if installed) and its addresses tried in
                # order, as httpcore does: the same address connected to, the same DNS words
                resolver=aiohttp.ThreadedResolver(),
                happy_eyeballs_delay=None,
            ),
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=False,
            skip_auto_headers=_SKIPPED,
            request_class=_ExactRequest,
            timeout=aiohttp.ClientTimeout(total=None),
            trust_env=False,  # the prober resolves the environment's proxies as httpx does
            raise_for_status=False,
            # httpcore (h11) reads a head of up to 100 KiB, in lines of any length
            max_line_size=_HEAD_MAX,
            max_field_size=_HEAD_MAX,
            max_headers=_HEAD_MAX // 4,
        )
        # aiohttp sends an idempotent request again when its connection fails, even a new
        # connection's (client.py); the prober retries a stale kept-alive one itself, as the
        # synchronous probe does (tests/probe/test_aclient.py holds it to that)
        self._session._retry_connection = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send `request` and return the response with its body as a stream (httpx's contract).

        Raises httpx.TransportError subclasses: ConnectError (refused, DNS, TLS), ConnectTimeout,
        ReadTimeout, RemoteProtocolError (not HTTP, closed early), ReadError (reset)."""
        extensions = request.extensions
        proxy = extensions[PROXY] if PROXY in extensions else self._choose(request.url)
        try:
            head = [(n.decode("ascii"), v.decode("ascii")) for n, v in request.headers.raw]
        except UnicodeDecodeError:  # aiohttp would write it as UTF-8, not Latin-1
            return await self._by_httpx(request, proxy)
        if is_socks(proxy):
            return await self._by_httpx(request, proxy)
        body = await request.aread()  # the bytes httpx.Request(content=...) already holds
        timeout = extensions.get("timeout")
        answer = await self.exchange(
            request.method,
            str(request.url),
            request.url.scheme == "https",
            head,
            body,
            proxy,
            _timeout(timeout) if timeout else None,
        )
        return httpx.Response(
            answer.status,
            headers=list(answer.raw),
            stream=answer.body,
            request=request,
            extensions={
                "http_version": answer.http_version.encode(),
                "reason_phrase": answer.reason_bytes,
                SERVER_IP: answer.server_ip,
            },
        )

    async def exchange(
        self,
        method: str,
        url: str,
        secure: bool,
        head: list[tuple[str, str]],
        body: bytes,
        proxy: str | None,
        timeout: aiohttp.ClientTimeout | None = None,
    ) -> Answer:
        """One request without httpx's Request and Response around it (the prober's fast path;
        `handle_async_request` wraps it): `url` is sent as it is (encoded, as httpx prints
        it; `secure`: an https:// URL), `head` goes on the wire as it is (ASCII text pairs,
        in order, nothing added), `body` after it, through the http(s) `proxy` (None: direct;
        not SOCKS). The answer's body is left to read. Raises what `handle_async_request`
        raises, with the same words."""
        watched = current.get()
        own = watched is None
        if own:
            watched = Watched()
            watch_token = current.set(watched)
        token = _exact.set(CIMultiDict(head))
        mapped: httpx.HTTPError | None = None
        try:
            response = await self._session.request(
                method,
                URL(url, encoded=True),
                data=body or None,
                allow_redirects=False,
                proxy=proxy,
                ssl=self._ssl if secure else True,
                timeout=timeout,
            )
        except (aiohttp.ClientError, TimeoutError) as error:
            mapped = _as_httpx(error)  # raised below, outside this block: no aiohttp chain
        finally:
            _exact.reset(token)
            if own:
                current.reset(watch_token)
        if mapped is not None:
            raise mapped
        assert watched is not None
        version = response.version
        return Answer(
            status=response.status,
            raw=response.raw_headers,
            http_version=f"HTTP/{version.major}.{version.minor}" if version else "HTTP/1.1",
            reason_bytes=(response.reason or "").encode("utf-8", "surrogateescape"),
            server_ip=watched.server_ip,
            body=_Body(response, watched),
        )

    async def _by_httpx(self, request: httpx.Request, proxy: str | None) -> httpx.Response:
        """A request aiohttp cannot send as it is (non-ASCII header bytes, which go out as
        Latin-1; a SOCKS proxy), sent by httpx's own transport through `proxy`."""
        fallback = self._fallbacks.get(proxy)
        if fallback is None:
            fallback = self._fallbacks[proxy] = watch(
                httpx.AsyncHTTPTransport(
                    verify=self._ssl,
                    trust_env=self._trust_env,
                    proxy=proxy,
                    limits=httpx.Limits(max_connections=self._max_connections),
                )
            )
        return await fallback.handle_async_request(request)

    async def aclose(self) -> None:
        """Close every connection."""
        await self._session.close()
        for fallback in self._fallbacks.values():
            await fallback.aclose()


def _timeout(timeout: dict[str, float | None]) -> aiohttp.ClientTimeout:
    """httpx's per-request time-outs (the `timeout` extension) as aiohttp's."""
    return aiohttp.ClientTimeout(
        total=None,
        connect=timeout.get("pool"),
        sock_connect=timeout.get("connect"),
        sock_read=timeout.get("read"),
    )
