"""Which proxy a request goes through: `--proxy`, else the environment's, chosen as httpx does.

The synchronous probe leaves the choice to httpx.Client (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY,
NO_PROXY); the async prober talks to transports directly, so it asks the same httpx functions
(httpx 0.28's `_utils.get_environment_proxies` and `URLPattern`, which its Client mounts) and
gets the same answer for every URL.
"""

from __future__ import annotations

import httpx
from httpx._utils import URLPattern, get_environment_proxies

from cors_probe.errors import UsageError

SOCKS_SCHEMES = frozenset({"socks5", "socks5h"})


class ProxyChoice:
    """The proxy for each URL: `explicit` for all; else, with `trust_env`, the environment's.

    UsageError (as the synchronous probe words it: "cannot use the proxy: ...") when a proxy
    has a scheme httpx does not speak."""

    def __init__(self, explicit: str | None, trust_env: bool) -> None:
        table: dict[str, str | None]
        if explicit is not None:
            table = {"all://": explicit}
        elif trust_env:
            table = get_environment_proxies()
        else:
            table = {}
        for url in table.values():
            if url is not None:
                try:
                    httpx.Proxy(url)
                except ValueError as error:
                    raise UsageError(f"cannot use the proxy: {error}") from None
        # the order httpx.Client mounts them in: the most specific pattern first (a stable sort)
        self._patterns = sorted(
            ((URLPattern(key), url) for key, url in table.items()), key=lambda item: item[0]
        )

    def __call__(self, url: httpx.URL) -> str | None:
        """The proxy URL for `url`, None for a direct connection."""
        for pattern, proxy in self._patterns:
            if pattern.matches(url):
                return proxy
        return None


def is_socks(proxy: str | None) -> bool:
    """Whether `proxy` is a SOCKS proxy (which only httpx's own transport speaks here)."""
    return proxy is not None and proxy.partition("://")[0].lower() in SOCKS_SCHEMES
