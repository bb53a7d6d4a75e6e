"""What httpx's own async transport (httpcore) saw of an attempt, for the async prober.

The prober sends `--http2` and SOCKS-proxied requests through httpx.AsyncHTTPTransport. To word
a slow server's failure ("the server sent headers too slowly (12 bytes in 2 s)") and to retry a
stale kept-alive connection as the synchronous probe does (probe/client.py `_WatchedBackend`),
it needs to know whether the attempt opened a new connection and how many bytes came back:
the pool's network backend is wrapped so that connects, reads and writes are noted on the
running task's `probe.watch.current` attempt.
"""

from __future__ import annotations

import ssl
from typing import Any

import httpx

from cors_probe.probe.watch import current


class _WatchedStream:
    """An httpcore async network stream noting its reads and writes on the current attempt."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        data: bytes = await self._inner.read(max_bytes, timeout)
        watched = current.get()
        if watched is not None:
            watched.used = True
            watched.received += len(data)
        return data

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        watched = current.get()
        if watched is not None:
            watched.used = True
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> _WatchedStream:
        return _WatchedStream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _WatchedBackend:
    """httpcore's async network backend, noting a new connection on the current attempt."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> _WatchedStream:
        _connecting()
        stream = await self._inner.connect_tcp(
            host, port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )
        return _WatchedStream(stream)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> _WatchedStream:
        _connecting()
        stream = await self._inner.connect_unix_socket(
            path, timeout=timeout, socket_options=socket_options
        )
        return _WatchedStream(stream)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def _connecting() -> None:
    watched = current.get()
    if watched is not None:
        watched.used = True
        watched.fresh = True


def watch(transport: httpx.AsyncHTTPTransport) -> httpx.AsyncHTTPTransport:
    """`transport` with its pool's network backend watched (httpcore 1.x `_network_backend`,
    which the pool, its http proxy and SOCKS variants hand to every connection they make);
    returned as is when it has none."""
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if backend is not None and not isinstance(backend, _WatchedBackend):
        pool._network_backend = _WatchedBackend(backend)  # type: ignore[union-attr]
    return transport
