"""Origins and URLs as a browser parses and serialises them (WHATWG URL, HTML "origin")."""

from __future__ import annotations

import pytest

from cors_probe.model import Origin
from cors_probe.policy.origin import parse_origin, same_origin
from cors_probe.policy.url import Url, UrlError, parse_url

ORIGINS: list[tuple[str, str | None]] = [
    ("https://app.example", "https://app.example"),
    ("https://APP.Example", "https://app.example"),
    ("https://app.example/", "https://app.example"),
    ("https://app.example:443", "https://app.example"),
    ("http://app.example:80", "http://app.example"),
    ("http://localhost:3000", "http://localhost:3000"),
    ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    ("http://[::1]:8080", "http://[::1]:8080"),
    ("https://bücher.example", "https://xn--bcher-kva.example"),
    ("null", "null"),
    (" null ", "null"),
    ("https://app.example/path", None),
    ("https://app.example?q=1", None),
    ("https://app.example#x", None),
    ("https://user@app.example", None),
    ("ftp://app.example", None),
    ("app.example", None),
    ("https://app.example:99999", None),
    ("https://", None),
]


@pytest.mark.parametrize(("text", "serialised"), ORIGINS)
def test_parse_origin(text: str, serialised: str | None) -> None:
    parsed = parse_origin(text)
    if serialised is None:
        assert isinstance(parsed, UrlError)
    else:
        assert isinstance(parsed, Origin)
        assert parsed.serialise() == serialised


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("https://a.example", "https://a.example:443", True),
        ("https://a.example", "http://a.example", False),
        ("https://a.example", "https://a.example:8443", False),
        ("https://a.example", "https://b.a.example", False),
        ("http://localhost:1", "http://127.0.0.1:1", False),
        ("null", "null", False),  # an opaque origin is not even the same as another `null`
    ],
)
def test_same_origin(a: str, b: str, same: bool) -> None:
    first, second = parse_origin(a), parse_origin(b)
    assert isinstance(first, Origin)
    assert isinstance(second, Origin)
    assert same_origin(first, second) is same


URLS: list[tuple[str, str | None]] = [
    ("https://api.example", "https://api.example/"),
    ("https://API.example/V1/Tags", "https://api.example/V1/Tags"),
    ("https://api.example:443/x", "https://api.example/x"),
    ("https://api.example/a/../b/./c", "https://api.example/b/c"),
    ("https://api.example/x#frag", "https://api.example/x"),
    ("https://api.example/a b", "https://api.example/a%20b"),
    ("https://api.example/?q=a b", "https://api.example/?q=a%20b"),
    ("http://0x7f.1/", "http://127.0.0.1/"),
    ("http://127.1/", "http://127.0.0.1/"),
    ("https://bücher.example/", "https://xn--bcher-kva.example/"),
    ("https://user:pw@api.example/", "https://user:pw@api.example/"),
    ("https://api.example:99999/", None),
    ("https://exa mple.com/", None),
    ("not a url", None),
]


@pytest.mark.parametrize(("text", "serialised"), URLS)
def test_parse_url_serialises_as_a_browser(text: str, serialised: str | None) -> None:
    parsed = parse_url(text)
    if serialised is None:
        assert isinstance(parsed, UrlError)
    else:
        assert isinstance(parsed, Url)
        assert parsed.serialise() == serialised


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://api.example/x", "https://api.example"),
        ("http://a.example:8080/", "http://a.example:8080"),
        ("data:text/plain,x", "null"),
    ],
)
def test_a_urls_origin(url: str, origin: str) -> None:
    parsed = parse_url(url)
    assert isinstance(parsed, Url)
    assert parsed.origin().serialise() == origin
