"""AsyncProber.open builds each origin's transport once: the origin it parses chooses the same
transport and proxy as the whole URL would."""

from __future__ import annotations

import httpx
import pytest

from cors_probe.probe.aclient import _origin
from cors_probe.probe.proxies import ProxyChoice

URLS = {
    "http://a.test/x?y=1": "http://a.test",
    "https://b.test:8443/p#frag": "https://b.test:8443",
    "http://[::1]:8080/": "http://[::1]:8080",
    "http://user:pw@h.test/path": "http://user:pw@h.test",
    "http://q.test?x=/y": "http://q.test",
    "http://f.test#a/b": "http://f.test",
    "http://c.internal": "http://c.internal",
    "https://d.internal:443/a/b/c": "https://d.internal:443",
    "mailto:someone": "mailto:someone",
}


@pytest.mark.parametrize("url", URLS)
def test_the_origin_of_a_url(url: str) -> None:
    assert _origin(url) == URLS[url]


@pytest.mark.parametrize("url", [u for u in URLS if "://" in u])
def test_the_origin_chooses_as_the_whole_url(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.test:3128")
    monkeypatch.setenv("HTTPS_PROXY", "http://secure-proxy.test:3128")
    monkeypatch.setenv("NO_PROXY", ".internal,b.test")
    choose = ProxyChoice(None, trust_env=True)
    whole, origin = httpx.URL(url), httpx.URL(_origin(url))
    assert (origin.scheme, origin.host, origin.port) == (whole.scheme, whole.host, whole.port)
    assert choose(origin) == choose(whole)
