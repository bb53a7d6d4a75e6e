"""A redirect's Location bytes, as each engine turns them into the URL it requests.

Servers send Location as raw bytes; model.py holds them Latin-1 decoded. Each row is what
Chromium 156 and Firefox 153 ESR (bytes kept) and WebKitGTK 2.50 (repaired as UTF-8, then one
character per byte) requested, measured live; the referee family `location-bytes`
(tests/browser/scenarios.py) measures them again in every run.
"""

from __future__ import annotations

import pytest

from cors_probe.model import Headers, WireResponse
from cors_probe.policy.browsers import BROWSERS, CHROMIUM, FIREFOX, WEBKIT, Browser
from cors_probe.policy.redirect import location_of, location_text
from cors_probe.policy.url import Url, UrlError, parse_url

CURRENT = parse_url("http://api.example/files/")
assert isinstance(CURRENT, Url)

# (what the server wrote after /files/, as Latin-1 text = its bytes; Chromium and Firefox; WebKit)
ROWS = [
    ("caf\xc3\xa9.pdf", "caf%C3%A9.pdf", "caf%C3%83%C2%A9.pdf"),  # valid UTF-8
    ("\xe4\xb8\xad\xe6\x96\x87", "%E4%B8%AD%E6%96%87", "%C3%A4%C2%B8%C2%AD%C3%A6%C2%96%C2%87"),
    ("\xf0\x9f\x98\x80", "%F0%9F%98%80", "%C3%B0%C2%9F%C2%98%C2%80"),  # emoji, 4 bytes
    ("a\xc2\x85b", "a%C2%85b", "a%C3%82%C2%85b"),  # U+0085, a C1 control
    ("caf\xe9.pdf", "caf%E9.pdf", "caf%C3%AF%C2%BF%C2%BD.pdf"),  # lone Latin-1 byte
    ("a\xe4\xb8b", "a%E4%B8b", "a%C3%AF%C2%BF%C2%BD%C3%AF%C2%BF%C2%BDb"),  # truncated: 2 x U+FFFD
    ("a\x80b", "a%80b", "a%C3%AF%C2%BF%C2%BDb"),  # lone continuation byte
    ("a\xc0\xafb", "a%C0%AFb", "a%C3%AF%C2%BF%C2%BD%C3%AF%C2%BF%C2%BDb"),  # overlong
    ("a\xed\xa0\x80b", "a%ED%A0%80b", "a" + "%C3%AF%C2%BF%C2%BD" * 3 + "b"),  # surrogate
    ("a b", "a%20b", "a%20b"),
    ("a\x7fb", "a%7Fb", "a%7Fb"),
    ('a"<>`{}b', "a%22%3C%3E%60%7B%7Db", "a%22%3C%3E%60%7B%7Db"),
    ("caf%C3%A9.pdf", "caf%C3%A9.pdf", "caf%C3%A9.pdf"),  # already percent-encoded
    ("%C3%A9\xc3\xa9", "%C3%A9%C3%A9", "%C3%A9%C3%83%C2%A9"),  # mixed
    ("q?x=\xc3\xa9", "q?x=%C3%A9", "q?x=%C3%83%C2%A9"),  # in the query
    ("q?x=\xe9", "q?x=%E9", "q?x=%C3%AF%C2%BF%C2%BD"),
    ("q?x=a b", "q?x=a%20b", "q?x=a%20b"),
    ("f#\xc3\xa9", "f", "f"),  # the fragment is not requested
]


def _requested(location: str, browser: Browser) -> str:
    response = WireResponse(302, Headers.of(("Location", location)))
    target = location_of(response, CURRENT, browser)  # type: ignore[arg-type]
    assert isinstance(target, Url), target
    return target.serialise()


@pytest.mark.parametrize(("sent", "kept", "webkit"), ROWS)
@pytest.mark.parametrize("browser", BROWSERS, ids=lambda b: b.name)
def test_location_bytes_as_each_engine_requests_them(
    browser: Browser, sent: str, kept: str, webkit: str
) -> None:
    expected = webkit if browser is WEBKIT else kept
    assert _requested(sent, browser) == f"http://api.example/files/{expected}"


@pytest.mark.parametrize("browser", [CHROMIUM, FIREFOX, WEBKIT], ids=lambda b: b.name)
def test_an_absolute_location_keeps_its_bytes_too(browser: Browser) -> None:
    got = _requested("http://cdn.example/caf\xc3\xa9", browser)
    assert got == (
        "http://cdn.example/caf%C3%83%C2%A9"
        if browser is WEBKIT
        else "http://cdn.example/caf%C3%A9"
    )


@pytest.mark.parametrize(
    ("host", "expected"),
    [("caf\xc3\xa9.example", "xn--caf-dma.example"), ("caf\xe9.example", None)],
)
def test_raw_bytes_in_a_host_are_read_as_utf8_or_refused(host: str, expected: str | None) -> None:
    """A host's bytes: valid UTF-8 is a name for IDNA; other bytes are no host at all."""
    parsed = parse_url(location_text(f"http://{host}/x", CHROMIUM))
    if expected is None:
        assert isinstance(parsed, UrlError)
    else:
        assert isinstance(parsed, Url)
        assert parsed.host == expected


def test_an_ascii_location_is_handed_over_unchanged() -> None:
    for browser in BROWSERS:
        assert location_text("/a b?x=%41#f", browser) == "/a b?x=%41#f"
