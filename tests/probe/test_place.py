"""The prober's fast path parses only a URL's origin (once per origin) and sends the URL's text
as it is: for every URL it takes, that text, the Host header, the TLS choice, the transport and
the proxy are what parsing the whole URL with httpx gives (the slow path); every URL httpx would
rewrite (case, default port, dot segments, characters it escapes, a fragment) takes the slow
path."""

from __future__ import annotations

import httpx
import pytest

from cors_probe.model import Headers, WireRequest
from cors_probe.probe.aclient import AsyncProber, _Exchange, _origin, _plain
from cors_probe.probe.client import ProbeOptions
from cors_probe.probe.loop import run_async

FAST = [
    "http://127.0.0.1:8080/api/0",
    "http://127.0.0.1:8080",
    "http://127.0.0.1:8080/",
    "http://a.test/x?y=1&z=%2F",
    "http://a.test?x=/y",
    "https://b.test:8443/p/q;r=1",
    "https://b.test/a~b_c-d.e/f!$&'()*+,;=:@",
    "http://[::1]:8080/v1/items?ids=1,2,3&q=a:b@c/d?e",
    "http://user:pw@h.test/path",
    "http://h.test/%7e%41%2f",
    "http://h.test/a.b/c.d?x=y.z",
    "http://c.internal/a",
    "https://d.internal:444/a/b/c",
    "mailto:someone",  # not http(s): aiohttp refuses it, as on the slow path
]
SLOW = [
    "http://H.test/a",  # httpx lower-cases the host
    "http://h.test:80/a",  # and leaves out a default port
    "https://h.test:443/a",
    "http://h.test/a/../b",  # and removes dot segments
    "http://h.test/./b",
    "http://h.test/a.b/.c.d?x=/./y",  # kept by httpx, but "/." is refused as a whole
    "http://h.test/a b",  # and escapes what a path may not hold
    "http://h.test/a?b c",
    "http://h.test/a`b",
    "http://h.test/a{b}",
    "http://h.test/caf\xe9",
    "http://h.test/a%zz",  # an escape httpx keeps, but not a plain one
    "http://h.test/a#f",  # a fragment
    "http://h.test/a\\b",
    "http://h.test/a|b",
    "http://caf\xe9.test/",  # a host httpx encodes
]
HEADERS = Headers.of(("Origin", "https://app.test"), ("X-A", "1"))


def _both(url: str, options: ProbeOptions) -> tuple[_Exchange | None, object]:
    """The fast path's request for `url` (None when it declines) and the slow path's."""

    async def build() -> tuple[_Exchange | None, object]:
        async with AsyncProber(options) as prober:
            for method in ("OPTIONS", "PUT"):
                request = WireRequest(method, url, HEADERS)
                fast, slow = prober._fast(request), prober._slow(request)
            return fast, slow

    return run_async(build())


@pytest.mark.parametrize("url", FAST)
@pytest.mark.parametrize("proxied", [False, True])
def test_the_fast_path_sends_what_the_slow_path_sends(
    url: str, proxied: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if proxied:
        monkeypatch.setenv("HTTP_PROXY", "http://proxy.test:3128")
        monkeypatch.setenv("HTTPS_PROXY", "http://secure-proxy.test:3128")
        monkeypatch.setenv("NO_PROXY", ".internal,b.test")
    fast, slow = _both(url, ProbeOptions(trust_env=proxied))
    assert isinstance(fast, _Exchange)
    assert isinstance(slow, _Exchange)
    assert fast.url == slow.url == str(httpx.URL(url)) == url
    assert (fast.secure, fast.head, fast.proxy) == (slow.secure, slow.head, slow.proxy)
    assert fast.transport is slow.transport


@pytest.mark.parametrize("url", SLOW)
def test_a_url_httpx_would_rewrite_takes_the_slow_path(url: str) -> None:
    origin = _origin(url)
    rest = url[len(origin) :]
    rewritten = str(httpx.URL(origin)) != origin or str(httpx.URL(url)) != url
    assert rewritten or not _plain(rest)
    fast, _ = _both(url, ProbeOptions(trust_env=False))
    assert fast is None


@pytest.mark.parametrize(
    ("rest", "plain"),
    [
        ("", True),
        ("/", True),
        ("/a/b?c=d&e", True),
        ("?only=query", True),
        ("/%41%2f", True),
        ("/.well-known", False),
        ("/a/..", False),
        ("/a%4", False),
        ("/a#b", False),
        ("/a b", False),
        ("/[x]", False),
        ("a/b", False),
    ],
)
def test_plain_paths_and_queries(rest: str, plain: bool) -> None:
    assert _plain(rest) is plain
    if plain:
        assert str(httpx.URL(f"http://h.test{rest}")) == f"http://h.test{rest}"
