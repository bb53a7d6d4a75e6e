"""The only module that performs HTTP: send one WireRequest, return one WireResponse.

It never follows redirects (the policy core judges every hop), keeps the raw header pairs with
duplicates and original case, streams the body and stops reading at a cap, times the round trip,
and turns httpx's exceptions into `ProbeError`s with a kind. Tests pass an httpx transport.

Start-up matters for a CLI: httpx is imported when the first request is sent, and the TLS
context (which loads the CA bundle, ~30 ms) is built only when an https:// URL is met.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import re
import socket
import ssl
import threading
import time
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import TYPE_CHECKING, Any

from cors_probe.errors import ProbeError, UsageError
from cors_probe.model import BODY_KEPT, FailureKind, Headers, WireRequest, WireResponse
from cors_probe.probe.wire import USER_AGENT

if TYPE_CHECKING:
    import httpx

DEFAULT_BODY_CAP = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ProbeOptions:
    timeout: float = 10.0
    verify: bool = True
    cacert: str | None = None
    http2: bool = False
    body_cap: int = DEFAULT_BODY_CAP
    trust_env: bool = True
    """Proxies (HTTP_PROXY, HTTPS_PROXY, NO_PROXY) and SSL_CERT_FILE from the environment."""
    max_connections: int = 100
    """The shared pool's bound; `cors-probe run --jobs N` sets it to N."""
    proxy: str | None = None
    """`--proxy`: http://, https://, socks5:// or socks5h://; None: the environment's, if any."""


def _decode(raw: bytes) -> str:
    return raw.decode("latin-1")


def _encode(text: str) -> bytes:
    """A header name or value as its bytes on the wire: Latin-1, as a browser sends a ByteString
    (httpx would encode a str as ASCII and fail on "café"); UTF-8 beyond Latin-1."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")


QUOTED_MAX = 80
"""Characters of the server's bytes an error message quotes."""

_LITERAL = r"""b(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
_BYTES = rf"bytearray\(({_LITERAL})\)|(?<!\w)({_LITERAL})"
"""A bytes or bytearray literal, as h11 quotes what it could not parse."""

_IN_WORDS: tuple[tuple[str, str], ...] = (
    (
        r"(?:illegal|invalid)(?: HTTP)? status line:? (?P<q>.*)",
        "the server's status line is not HTTP: {q}",
    ),
    (
        r"(?:illegal|invalid)(?: HTTP)? header line:? (?P<q>.*)",
        "the server sent a header line that is not 'Name: value': {q}",
    ),
    (
        r"(?:illegal|invalid) header name:? (?P<q>.*)",
        "the server sent a header with an invalid name: {q}",
    ),
    (
        r"(?:illegal|invalid) header value:? (?P<q>.*)",
        "the server sent a header with an invalid value: {q}",
    ),
    (
        r"continuation line at start of headers",
        "the server's first header line starts with a space (a continuation of nothing)",
    ),
    (
        r"illegal request line",  # h11's words for a response that cannot start a status line
        "the server's answer is not HTTP: its first bytes cannot start a status line",
    ),
    (r"no response line received", "the server's answer starts with an empty line"),
    (r"bad Content-Length", "the server's Content-Length is not a number"),
    (
        r"conflicting Content-Length headers",
        "the server sent Content-Length headers that disagree",
    ),
    (
        r"multiple Transfer-Encoding headers",
        "the server sent more than one Transfer-Encoding header",
    ),
    (
        r"Only Transfer-Encoding: chunked is supported",
        "the server's Transfer-Encoding is not 'chunked', the only one cors-probe reads",
    ),
    (r"illegal chunk header: (?P<q>.*)", "the server's chunked body has a bad chunk size: {q}"),
    (
        r"malformed chunk footer: (?P<q>.*?) \(expected .*\)",
        "a chunk of the server's chunked body does not end with CRLF: {q}",
    ),
    (r"Receive buffer too long", "the server's response headers are too long"),
    (r"peer unexpectedly closed connection", "the server closed the connection mid-response"),
    # llhttp's, as the async transport puts them on one line (aiohttp_transport.one_line)
    (
        r"Bad status line: Expected HTTP/.*",
        "the server's answer is not HTTP: its first bytes cannot start a status line",
    ),
    (r"Bad status line: [^:]*: (?P<q>.*)", "the server's status line is not HTTP: {q}"),
    (
        r"Invalid header token: '[ \t].*",
        "the server's first header line starts with a space (a continuation of nothing)",
    ),
    (
        r"Invalid header token: (?P<q>.*)",
        "the server sent a header line that is not 'Name: value': {q}",
    ),
    (r"Invalid HTTP header: (?P<q>.*)", "the server sent a header with an invalid value: {q}"),
    (r"Invalid character in Content-Length: .*", "the server's Content-Length is not a number"),
    (r"Duplicate Content-Length: .*", "the server sent more than one Content-Length header"),
    (
        r"Got more than \d+ bytes when reading.*|Too many headers received",
        "the server's response headers are too long",
    ),
    (
        r"Invalid character in chunk size: (?P<q>.*)",
        "the server's chunked body has a bad chunk size: {q}",
    ),
    (
        r"Expected LF after chunk data: (?P<q>.*)",
        "a chunk of the server's chunked body does not end with CRLF: {q}",
    ),
)
"""h11's (and llhttp's) messages about a response they cannot parse (patterns matched whole,
ignoring case), in words (the bytes quoted by `_quoted`)."""


@functools.cache
def _compiled() -> tuple[re.Pattern[str], tuple[tuple[re.Pattern[str], str], ...]]:
    """`_BYTES` and `_IN_WORDS` compiled, on the first error message only: (bytes literal,
    ((pattern, words), ...)). A check that meets no unparsable response never compiles them."""
    in_words = tuple((re.compile(p, re.IGNORECASE), words) for p, words in _IN_WORDS)
    return re.compile(_BYTES), in_words


def _quoted(match: re.Match[str]) -> str:
    """A bytes literal from an error message as the server's text: Latin-1, quoted, one line (a
    control character escaped, CR LF included), cut to QUOTED_MAX characters."""
    try:
        raw = ast.literal_eval(match.group(1) or match.group(2))
    except (ValueError, SyntaxError):
        return match.group()
    if not isinstance(raw, bytes):
        return match.group()
    text = raw.decode("latin-1")
    cut = len(text) > QUOTED_MAX
    return repr(text[:QUOTED_MAX]) + ("..." if cut else "")


def in_words(message: str) -> str:
    """An HTTP library's message about a response it could not parse, in words: the server's
    bytes shown as text (`'HTTP/1.1 2OO OK'`, not `bytearray(b'HTTP/1.1 2OO OK')`), h11's
    parser terms as what the server did. Other messages are returned with their bytes shown."""
    literal, in_words = _compiled()
    message = literal.sub(_quoted, message)
    for pattern, words in in_words:
        match = pattern.fullmatch(message.strip())
        if match is not None:
            return words.format(**match.groupdict())
    return message


def _classify(exc: BaseException) -> tuple[FailureKind, str]:
    import httpx

    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    # httpx re-raises httpcore's exception with the same message: say each message once
    messages = (in_words(str(e)) for e in chain if str(e))
    text = " / ".join(dict.fromkeys(messages)) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return FailureKind.TIMEOUT, f"timed out ({type(exc).__name__})"
    if any(isinstance(e, ssl.SSLError) for e in chain) or "SSL" in text or "certificate" in text:
        return FailureKind.TLS, text
    if any(isinstance(e, ConnectionRefusedError) for e in chain) or "refused" in text.lower():
        return FailureKind.REFUSED, "connection refused"
    lowered = text.lower()
    if (
        "name or service not known" in lowered
        or "nodename nor servname" in lowered
        or ("getaddrinfo" in lowered or "name resolution" in lowered or "no address" in lowered)
    ):
        return FailureKind.DNS, text
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return FailureKind.PROTOCOL, text
    return FailureKind.OTHER, text


_RAW_HEADERS = "cors_probe.raw_headers"


def _server_ip(response: httpx.Response) -> str | None:
    stream = response.extensions.get("network_stream")
    if stream is None:
        return None
    try:
        address = stream.get_extra_info("server_addr")
    except OSError:
        return None
    return str(address[0]) if isinstance(address, tuple) and address else None


def _keep_location_from_httpx(response: httpx.Response) -> None:
    """Record the raw headers, then hide Location from httpx.

    httpx builds the next request of a redirect even when it will not follow it, and raises for a
    Location it cannot parse (`data:`, `javascript:`, a bad port). Judging the Location is the
    policy core's job (the browser's redirect rules), so httpx must not see it.
    """
    response.extensions[_RAW_HEADERS] = list(response.headers.raw)
    if "Location" in response.headers:
        del response.headers["Location"]


_DISCONNECTED = "Server disconnected without sending a response"
"""httpcore's message when the connection ends before the response's head is complete."""

_RETRIED_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
"""Idempotent methods (RFC 9110 9.2.2) that are sent again, once, on a new connection when a
kept-alive one was closed before any byte of the response, as browsers do. Never POST or PATCH."""


@dataclass(slots=True)
class _Attempt:
    """What the network layer saw of the request in flight on this thread (one attempt)."""

    deadline: float
    """time.monotonic() by which the whole response (headers and capped body) must be in."""
    received: int = 0
    """Response bytes read from the network so far."""
    connected: bool = False
    """A new connection was opened for it (so a failure is not a stale kept-alive one)."""
    used: bool = False
    """It went through a watched connection at all (not a test's in-memory transport)."""
    cut: bool = False
    """The request's total deadline, not a per-read time-out, ended a wait."""

    def bound(self, timeout: float | None, error: type[Exception]) -> float:
        """`timeout` shortened to what is left of the deadline; `error` when nothing is left."""
        self.used = True
        left = self.deadline - time.monotonic()
        if left <= 0:
            self.cut = True
            raise error("the request's deadline passed")
        if timeout is None or left < timeout:
            return left
        return timeout


_current = threading.local()
"""The `_Attempt` of the request this thread is sending (httpx.Client is synchronous: the thread
that sends a request is the one that reads its response)."""


def _attempt() -> _Attempt | None:
    attempt: _Attempt | None = getattr(_current, "attempt", None)
    return attempt


class _WatchedStream:
    """An httpcore network stream whose reads stop at the request's total deadline.

    httpx's read time-out restarts with every byte, so a server trickling its headers or body one
    byte per second would hold a request for ever; each read here waits at most what is left of
    the whole request's budget. The Prober can also shut the socket down from another thread
    (Ctrl-C during a run), which wakes a blocked read at once, where close() would not.
    """

    def __init__(self, inner: Any, streams: weakref.WeakSet[_WatchedStream]) -> None:
        self._inner = inner
        self._streams = streams
        streams.add(self)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        import httpcore

        attempt = _attempt()
        if attempt is None:
            data: bytes = self._inner.read(max_bytes, timeout)
            return data
        bounded = attempt.bound(timeout, httpcore.ReadTimeout)
        try:
            data = self._inner.read(max_bytes, bounded)
        except httpcore.ReadTimeout:
            if bounded != timeout:
                attempt.cut = True
            raise
        attempt.received += len(data)
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        import httpcore

        attempt = _attempt()
        if attempt is not None:
            timeout = attempt.bound(timeout, httpcore.WriteTimeout)
        self._inner.write(buffer, timeout)

    def close(self) -> None:
        self._streams.discard(self)
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> _WatchedStream:
        import httpcore

        attempt = _attempt()
        if attempt is not None:
            timeout = attempt.bound(timeout, httpcore.ConnectTimeout)
        inner = self._inner.start_tls(ssl_context, server_hostname, timeout)
        self._streams.discard(self)
        return _WatchedStream(inner, self._streams)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)

    def abort(self) -> None:
        """Wake any thread blocked on this socket: its read fails at once."""
        sock = self._inner.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _WatchedBackend:
    """httpcore's network backend, handing out `_WatchedStream`s (connect bounded too)."""

    def __init__(self, inner: Any, streams: weakref.WeakSet[_WatchedStream]) -> None:
        self._inner = inner
        self._streams = streams

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> _WatchedStream:
        import httpcore

        attempt = _attempt()
        if attempt is not None:
            timeout = attempt.bound(timeout, httpcore.ConnectTimeout)
            attempt.connected = True
        stream = self._inner.connect_tcp(
            host, port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )
        return _WatchedStream(stream, self._streams)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> _WatchedStream:
        attempt = _attempt()
        if attempt is not None:
            attempt.connected = True
        stream = self._inner.connect_unix_socket(
            path, timeout=timeout, socket_options=socket_options
        )
        return _WatchedStream(stream, self._streams)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def _watch(client: httpx.Client, streams: weakref.WeakSet[_WatchedStream]) -> None:
    """Put the watched backend under every connection pool of `client` (direct and proxies).

    httpx 0.28 takes no network backend, so the pools' (httpcore 1.x `_network_backend`) is
    swapped before any connection is made; a transport without one (tests') is left as is.
    """
    transports = [client._transport, *client._mounts.values()]
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if backend is not None and not isinstance(backend, _WatchedBackend):
            pool._network_backend = _WatchedBackend(backend, streams)  # type: ignore[union-attr]


class _Retry(Exception):
    """The first attempt met a kept-alive connection the server had closed: send again."""


def _slow(budget: float, what: str, received: int) -> str:
    return (
        f"no complete response within {budget:.3g} s: the server sent {what} too slowly "
        f"({received} byte{'s' if received != 1 else ''} in {budget:.3g} s)"
    )


class Prober:
    """Sends requests over clients it creates on first use, one per TLS need."""

    def __init__(self, options: ProbeOptions, transport: httpx.BaseTransport | None = None) -> None:
        self._options = options
        self._transport = transport
        self._clients: dict[bool, httpx.Client] = {}
        self._lock = threading.Lock()  # `cors-probe run` shares one Prober between threads
        self._streams: weakref.WeakSet[_WatchedStream] = weakref.WeakSet()
        self._closed = False

    def _client(self, secure: bool) -> httpx.Client:
        with self._lock:
            if self._closed:
                raise ProbeError(FailureKind.OTHER, "not sent: cors-probe is stopping")
            client = self._clients.get(secure)
            if client is None:
                client = self._new_client(secure)
                _watch(client, self._streams)
            return client

    def _new_client(self, secure: bool) -> httpx.Client:
        import httpx

        verify: ssl.SSLContext | bool = False
        try:
            if secure and self._options.verify:
                verify = (
                    ssl.create_default_context(cafile=self._options.cacert)
                    if self._options.cacert
                    else True
                )
        except (ssl.SSLError, OSError) as error:
            reason = getattr(error, "reason", None) or error
            raise UsageError(
                f"--cacert {self._options.cacert!r}: not a PEM bundle of CA certificates ({reason})"
            ) from None
        try:
            client = httpx.Client(
                transport=self._transport,
                verify=verify,
                http2=self._options.http2,
                trust_env=self._options.trust_env,
                proxy=self._options.proxy,
                follow_redirects=False,
                # no cookie jar: the browser's cookies are the request's own Cookie header, and
                # a Set-Cookie on one answer must not ride on the next request (credentials
                # mode omit); a policy that accepts no domain keeps httpx's jar empty
                cookies=CookieJar(DefaultCookiePolicy(allowed_domains=[])),
                timeout=self._options.timeout,
                headers={"User-Agent": USER_AGENT},
                event_hooks={"response": [_keep_location_from_httpx]},
                limits=httpx.Limits(
                    max_connections=self._options.max_connections,
                    max_keepalive_connections=self._options.max_connections,
                ),
            )
        except (ValueError, ImportError) as error:  # a proxy (--proxy or the environment's)
            raise UsageError(f"cannot use the proxy: {error}") from None
        self._clients[secure] = client
        return client

    def open(self, urls: Iterable[str]) -> None:
        """Build now the clients these URLs need (httpx imported, CA bundle loaded), so that the
        first requests of a paced run leave on their slots rather than together after the build."""
        for secure in {url.startswith("https:") for url in urls}:
            self._client(secure)

    def send(self, request: WireRequest, timeout: float | None = None) -> WireResponse:
        """One round trip; `timeout` overrides the options' for this request (a policy check's).

        The time-out is the whole request's budget: connecting, sending, the response headers
        and the capped body, however slowly the server trickles them. A kept-alive connection
        the server closed before answering is retried once on a new one for an idempotent
        method (the response then says `retried`), as browsers do.
        """
        budget = self._options.timeout if timeout is None else timeout
        deadline = time.monotonic() + budget
        try:
            return self._send_once(request, budget, deadline, retried=False)
        except _Retry:
            return self._send_once(request, budget, deadline, retried=True)

    def _send_once(
        self, request: WireRequest, budget: float, deadline: float, *, retried: bool
    ) -> WireResponse:
        import httpx

        client = self._client(request.url.startswith("https:"))
        # Build without the client's default Accept / Accept-Encoding so the wire matches the
        # browser's request; httpx still adds Host, Connection and Content-Length itself.
        built = client.build_request(
            request.method,
            request.url,
            headers=[(_encode(k), _encode(v)) for k, v in request.headers.pairs],
            content=request.body,
            timeout=budget,
        )
        for name in ("Accept", "Accept-Encoding"):
            if name not in request.headers and name in built.headers:
                del built.headers[name]
        attempt = _Attempt(deadline)
        _current.attempt = attempt
        started = time.perf_counter()
        try:
            try:
                response = client.send(built, stream=True)
            except (httpx.HTTPError, OSError) as exc:
                if self._may_retry(request, attempt, exc, retried):
                    raise _Retry from exc
                raise self._failure(exc, attempt, budget, "headers") from exc
            try:
                elapsed = (time.perf_counter() - started) * 1000
                server_ip = _server_ip(response)  # before the drain, which may close the socket
                read, truncated, kept = self._drain(response, attempt, budget)
                return WireResponse(
                    status=response.status_code,
                    headers=Headers(
                        tuple(
                            (_decode(k), _decode(v))
                            for k, v in response.extensions.get(_RAW_HEADERS, response.headers.raw)
                        )
                    ),
                    reason=response.reason_phrase,
                    http_version=response.http_version,
                    elapsed_ms=elapsed,
                    body_bytes=read,
                    body_truncated=truncated,
                    server_ip=server_ip,
                    sent_headers=Headers(
                        tuple((_decode(k), _decode(v)) for k, v in built.headers.raw)
                    ),
                    retried=retried,
                    body=kept,
                )
            finally:
                response.close()
        finally:
            _current.attempt = None

    def _may_retry(
        self, request: WireRequest, attempt: _Attempt, exc: BaseException, retried: bool
    ) -> bool:
        """A kept-alive connection closed (or reset) by the server before any response byte,
        for an idempotent method, first attempt only, with time left."""
        import httpx

        return (
            not retried
            and not self._closed
            and request.method in _RETRIED_METHODS
            and attempt.used
            and not attempt.connected
            and attempt.received == 0
            and not attempt.cut
            and isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError)
            and time.monotonic() < attempt.deadline
        )

    def _failure(
        self, exc: BaseException, attempt: _Attempt, budget: float, phase: str
    ) -> ProbeError:
        import httpx

        if self._closed:
            return ProbeError(FailureKind.OTHER, "interrupted: cors-probe is stopping")
        over = time.monotonic() >= attempt.deadline
        if attempt.cut or (over and isinstance(exc, httpx.TimeoutException)):
            if phase == "body":
                return ProbeError(FailureKind.TIMEOUT, _slow(budget, "its body", attempt.received))
            if attempt.received:
                return ProbeError(FailureKind.TIMEOUT, _slow(budget, "headers", attempt.received))
            return ProbeError(FailureKind.TIMEOUT, f"timed out: no response within {budget:.3g} s")
        kind, message = _classify(exc)
        if phase == "headers" and attempt.received and message.startswith(_DISCONNECTED):
            count = f"{attempt.received} byte{'s' if attempt.received != 1 else ''}"
            message = f"the server closed the connection after {count} of an incomplete response"
        return ProbeError(kind, message)

    def _drain(
        self, response: httpx.Response, attempt: _Attempt, budget: float
    ) -> tuple[int, bool, bytes]:
        """Read the body up to the cap and no further: (bytes read, whether more was left, the
        first `BODY_KEPT` bytes, as received).

        ProbeError (timeout) when the capped body is not in by the request's deadline."""
        import httpx

        cap = self._options.body_cap
        keep = min(cap, BODY_KEPT)
        if response.is_stream_consumed:  # an in-memory response (test transports)
            content = response.content
            return min(len(content), cap), len(content) > cap, content[:keep]
        read = 0
        kept = bytearray()
        try:
            for chunk in response.iter_raw():
                if len(kept) < keep:
                    kept += chunk[: keep - len(kept)]
                read += len(chunk)
                if read >= cap:
                    return cap, True, bytes(kept)
                if time.monotonic() >= attempt.deadline:  # a transport that is not watched
                    attempt.cut = True
                    raise ProbeError(FailureKind.TIMEOUT, _slow(budget, "its body", read))
        except (httpx.HTTPError, OSError) as exc:
            if attempt.cut or isinstance(exc, httpx.TimeoutException) or self._closed:
                attempt.received = read  # the body's bytes, for the message
                raise self._failure(exc, attempt, budget, "body") from exc
            return read, True, bytes(kept)
        return read, False, bytes(kept)

    def close(self) -> None:
        """Close every connection; a request in flight in another thread (Ctrl-C during a run)
        fails at once rather than after its time-out, and no further request is sent."""
        with self._lock:
            self._closed = True
            clients = list(self._clients.values())
            self._clients.clear()
        for stream in list(self._streams):
            stream.abort()
        for client in clients:
            client.close()

    def __enter__(self) -> Prober:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
