"""Host names to addresses, bounded in time: what the Local Network Access gate needs to know
before a request is sent (policy/gates.py), and the page's address space from `--origin`.

The first address getaddrinfo gives is the one the browser (and the probe) connects to first.
A name that does not resolve in time is unknown (None), never an error: the caller says what it
assumed.
"""

from __future__ import annotations

import socket

RESOLVE_TIMEOUT = 2.0
"""Seconds to wait for one name (the resolver's own retries can take far longer)."""


def _first_address(host: str) -> str | None:
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return None
    return str(infos[0][4][0]) if infos else None


def address_of(host: str, timeout: float = RESOLVE_TIMEOUT) -> str | None:
    """The first address `host` resolves to (as text), None when it does not resolve within
    `timeout` seconds. An IP literal (IPv6 in brackets or not) is returned as is."""
    bare = host.strip("[]")
    try:
        socket.inet_pton(socket.AF_INET6 if ":" in bare else socket.AF_INET, bare)
    except OSError:
        pass
    else:
        return bare
    from concurrent.futures import ThreadPoolExecutor
    from concurrent.futures import TimeoutError as FutureTimeout

    pool = ThreadPoolExecutor(max_workers=1)
    try:
        return pool.submit(_first_address, bare).result(timeout=timeout)
    except FutureTimeout:
        return None
    finally:
        pool.shutdown(wait=False)


class Resolver:
    """`address_of` with answers kept for the check's lifetime (every engine, every hop)."""

    def __init__(self, timeout: float = RESOLVE_TIMEOUT) -> None:
        self._timeout = timeout
        self._known: dict[str, str | None] = {}

    def __call__(self, host: str) -> str | None:
        if host not in self._known:
            self._known[host] = address_of(host, self._timeout)
        return self._known[host]
