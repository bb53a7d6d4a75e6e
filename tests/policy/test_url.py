"""policy/url.py never raises: every URL the URL Standard calls a failure is a UrlError."""

from __future__ import annotations

import pytest

from cors_probe.policy import url
from cors_probe.policy.origin import parse_origin
from cors_probe.policy.url import Url, UrlError, parse_url

# (id, text, the reason)
FAILURES: list[tuple[str, str, str]] = [
    (
        "host-escape-not-utf8",
        "http://%C3%28:8080/",
        "invalid host name '%C3%28': its percent-escapes are not UTF-8",
    ),
    (
        "host-lone-high-byte",
        "http://%FF/",
        "invalid host name '%FF': its percent-escapes are not UTF-8",
    ),
    ("open-bracket", "http://[::1/x", "invalid IPv6 address: a '[' or ']' without its partner"),
    (
        "open-bracket-no-path",
        "https://[::1",
        "invalid IPv6 address: a '[' or ']' without its partner",
    ),
    ("close-bracket", "http://::1]/x", "invalid IPv6 address: a '[' or ']' without its partner"),
    (
        "bad-ipv6",
        "http://[::g]/",
        "invalid IPv6 address ('::g' does not appear to be an IPv4 or IPv6 address)",
    ),
    ("arabic-digit-port", "http://a.example:\u0662/", "invalid port '\u0662'"),
    ("superscript-port", "http://a.example:\u00b2/", "invalid port '\u00b2'"),
]


@pytest.mark.parametrize(
    ("text", "reason"), [f[1:] for f in FAILURES], ids=[f[0] for f in FAILURES]
)
def test_a_failure_is_a_value_not_an_exception(text: str, reason: str) -> None:
    assert parse_url(text) == UrlError(reason)
    assert isinstance(parse_origin(text.removesuffix("/x")), UrlError)


def test_a_relative_reference_against_a_base_does_not_raise() -> None:
    base = parse_url("http://a.example/dir/")
    assert isinstance(base, Url)
    assert isinstance(parse_url("//[::1/x", base), UrlError)


def test_a_percent_escaped_utf8_host_still_parses() -> None:
    parsed = parse_url("http://%C3%A9.example/")
    assert isinstance(parsed, Url)
    assert parsed.host == "xn--9ca.example"


def _percent_encoded_char_by_char(text: str, extra: frozenset[str]) -> str:
    return "".join(
        "".join(f"%{b:02X}" for b in c.encode("utf-8"))
        if ord(c) < 0x20 or ord(c) > 0x7E or c in extra
        else c
        for c in text
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "plain",
        "/items/17",
        "a b",
        'a"b',
        "#x",
        "<>",
        "?q",
        "^`{}",
        "é",
        "日本",
        "\x00",
        "\x1f",
        "\x7f",
        "~",
        "%41",
        "'",
        "a;b=c@d",
        "tab\there",
        " ",
    ],
)
@pytest.mark.parametrize(
    "extra", [url._QUERY_EXTRA, url._SPECIAL_QUERY_EXTRA, url._PATH_EXTRA, url._USERINFO_EXTRA]
)
def test_percent_encoding_leaves_only_what_needs_no_encoding(
    text: str, extra: frozenset[str]
) -> None:
    assert url._percent_encode(text, extra) == _percent_encoded_char_by_char(text, extra)


@pytest.mark.parametrize(
    "text",
    [
        "https://api.example/v1/items?q=1",
        "http://user:pw@127.1:8080/a/../b",
        "https://[::1]:443/",
        "mailto:someone@example.com",
        "file:///etc/hosts",
        "HTTP://B\u00fccher.DE/p\u00e4th",
    ],
)
def test_a_serialisation_is_remembered_by_the_url_and_no_part_of_its_value(text: str) -> None:
    parsed = parse_url(text)
    assert isinstance(parsed, Url)
    fresh = Url(
        parsed.scheme,
        parsed.host,
        parsed.port,
        parsed.path,
        parsed.query,
        parsed.username,
        parsed.password,
        parsed.opaque,
    )
    assert parsed.serialise() == parsed.serialise() == fresh._serialised()
    assert parsed.origin() is parsed.origin()
    assert parsed.origin() == fresh.origin()
    assert parsed == fresh
    assert hash(parsed) == hash(fresh)
    assert repr(parsed) == repr(fresh)


@pytest.mark.parametrize(
    "path",
    ["/", "/api/17", "//a//b/", "/a b/<c>", "/caf\u00e9/x", "abc", "no/leading", "/\x7f", "/?^`{}"],
)
def test_a_path_without_dots_or_escapes_is_kept_segment_for_segment(path: str) -> None:
    assert url._normalise_path(path) == url._resolved_path(path)


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("http://h/a/./b/../c", "/a/c"),
        ("http://h/a/%2e%2E/b", "/b"),
        ("http://h\\a\\b", "/a/b"),
        ("http://h/a/..", "/"),
        ("http://h/%41 b", "/%41%20b"),
    ],
)
def test_dot_segments_and_escapes_still_go_the_long_way(text: str, path: str) -> None:
    parsed = parse_url(text)
    assert isinstance(parsed, Url)
    assert parsed.path == path
