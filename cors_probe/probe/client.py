"""The only module that performs HTTP: send one WireRequest, return one WireResponse.

It never follows redirects (the policy core judges every hop), keeps the raw header pairs with
duplicates and original case, streams the body and stops reading at a cap, times the round trip,
and turns httpx's exceptions into `ProbeError`s with a kind. Tests pass an httpx transport.

Start-up matters for a CLI: httpx is imported when the first request is sent, and the TLS
context (which loads the CA bundle, ~30 ms) is built only when an https:// URL is met.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cors_probe.errors import ProbeError
from cors_probe.model import FailureKind, Headers, WireRequest, WireResponse
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


def _decode(raw: bytes) -> str:
    return raw.decode("latin-1")


def _classify(exc: BaseException) -> tuple[FailureKind, str]:
    import httpx

    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    # httpx re-raises httpcore's exception with the same message: say each message once
    text = " / ".join(dict.fromkeys(str(e) for e in chain if str(e))) or type(exc).__name__
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


class Prober:
    """Sends requests over clients it creates on first use, one per TLS need."""

    def __init__(self, options: ProbeOptions, transport: httpx.BaseTransport | None = None) -> None:
        self._options = options
        self._transport = transport
        self._clients: dict[bool, httpx.Client] = {}
        self._lock = threading.Lock()  # `cors-probe run` shares one Prober between threads

    def _client(self, secure: bool) -> httpx.Client:
        with self._lock:
            return self._clients.get(secure) or self._new_client(secure)

    def _new_client(self, secure: bool) -> httpx.Client:
        import httpx

        verify: ssl.SSLContext | bool = False
        if secure and self._options.verify:
            verify = (
                ssl.create_default_context(cafile=self._options.cacert)
                if self._options.cacert
                else True
            )
        client = httpx.Client(
            transport=self._transport,
            verify=verify,
            http2=self._options.http2,
            trust_env=self._options.trust_env,
            follow_redirects=False,
            timeout=self._options.timeout,
            headers={"User-Agent": USER_AGENT},
            event_hooks={"response": [_keep_location_from_httpx]},
            limits=httpx.Limits(
                max_connections=self._options.max_connections,
                max_keepalive_connections=self._options.max_connections,
            ),
        )
        self._clients[secure] = client
        return client

    def open(self, urls: Iterable[str]) -> None:
        """Build now the clients these URLs need (httpx imported, CA bundle loaded), so that the
        first requests of a paced run leave on their slots rather than together after the build."""
        for secure in {url.startswith("https:") for url in urls}:
            self._client(secure)

    def send(self, request: WireRequest, timeout: float | None = None) -> WireResponse:
        """One round trip; `timeout` overrides the options' for this request (a policy check's)."""
        import httpx

        client = self._client(request.url.startswith("https:"))
        # Build without the client's default Accept / Accept-Encoding so the wire matches the
        # browser's request; httpx still adds Host, Connection and Content-Length itself.
        built = client.build_request(
            request.method,
            request.url,
            headers=list(request.headers.pairs),
            content=request.body,
            timeout=self._options.timeout if timeout is None else timeout,
        )
        for name in ("Accept", "Accept-Encoding"):
            if name not in request.headers and name in built.headers:
                del built.headers[name]
        started = time.perf_counter()
        try:
            response = client.send(built, stream=True)
        except (httpx.HTTPError, OSError) as exc:
            kind, message = _classify(exc)
            raise ProbeError(kind, message) from exc
        try:
            elapsed = (time.perf_counter() - started) * 1000
            server_ip = _server_ip(response)  # before the drain, which may close the socket
            read, truncated = self._drain(response)
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
                sent_headers=Headers(tuple((_decode(k), _decode(v)) for k, v in built.headers.raw)),
            )
        finally:
            response.close()

    def _drain(self, response: httpx.Response) -> tuple[int, bool]:
        """Read the body up to the cap and no further: (bytes read, whether more was left)."""
        import httpx

        if response.is_stream_consumed:  # an in-memory response (test transports)
            size = len(response.content)
            return min(size, self._options.body_cap), size > self._options.body_cap
        read = 0
        try:
            for chunk in response.iter_raw():
                read += len(chunk)
                if read >= self._options.body_cap:
                    return self._options.body_cap, True
        except (httpx.HTTPError, OSError):
            return read, True
        return read, False

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()

    def __enter__(self) -> Prober:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
