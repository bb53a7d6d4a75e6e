"""Methods, forbidden and safelisted request headers, and why a preflight is needed (§2)."""

from __future__ import annotations

import pytest

from cors_probe.codes import TriggerReason as R
from cors_probe.model import Headers
from cors_probe.policy.safelist import (
    browser_headers,
    combine,
    engine_only_safelisted,
    has_side_effects,
    is_forbidden_header,
    is_forbidden_method,
    normalise_method,
    preflight_triggers,
    safelist_problem,
)

METHODS = [
    ("get", "GET"),
    ("Get", "GET"),
    ("head", "HEAD"),
    ("post", "POST"),
    ("put", "PUT"),
    ("delete", "DELETE"),
    ("options", "OPTIONS"),
    ("patch", "patch"),  # not in fetch()'s list: stays as written
    ("Patch", "Patch"),
    ("PATCH", "PATCH"),
    ("purge", "purge"),
    ("PURGE", "PURGE"),
]


@pytest.mark.parametrize(("written", "sent"), METHODS)
def test_method_normalisation(written: str, sent: str) -> None:
    assert normalise_method(written) == sent


@pytest.mark.parametrize(
    ("method", "forbidden"),
    [
        ("CONNECT", True),
        ("connect", True),
        ("TRACE", True),
        ("track", True),
        ("GET", False),
        ("PATCH", False),
        ("OPTIONS", False),
    ],
)
def test_forbidden_methods(method: str, forbidden: bool) -> None:
    assert is_forbidden_method(method) is forbidden


@pytest.mark.parametrize(
    ("method", "side_effects"),
    [
        ("GET", False),
        ("get", False),
        ("HEAD", False),
        ("OPTIONS", False),
        ("POST", True),
        ("PUT", True),
        ("patch", True),
        ("DELETE", True),
        ("PURGE", True),
    ],
)
def test_side_effects_need_consent(method: str, side_effects: bool) -> None:
    assert has_side_effects(method) is side_effects


FORBIDDEN_HEADERS = [
    ("Cookie", "a=b", True),
    ("cookie", "a=b", True),
    ("Host", "x", True),
    ("Origin", "https://x.example", True),
    ("Referer", "https://x.example/", True),
    ("Content-Length", "1", True),
    ("Connection", "close", True),
    ("Accept-Encoding", "gzip", True),
    ("Access-Control-Request-Method", "PUT", True),
    ("Sec-Fetch-Mode", "cors", True),
    ("Proxy-Authorization", "Basic x", True),
    ("X-HTTP-Method-Override", "TRACE", True),
    ("X-HTTP-Method-Override", "PUT", False),
    ("X-Method-Override", "GET, CONNECT", True),
    ("Authorization", "Bearer t", False),
    ("User-Agent", "robot", False),  # the spec allows it; Chromium drops it (see below)
    ("X-Api-Key", "k", False),
]


@pytest.mark.parametrize(("name", "value", "forbidden"), FORBIDDEN_HEADERS)
def test_forbidden_request_headers(name: str, value: str, forbidden: bool) -> None:
    assert is_forbidden_header(name, value) is forbidden


SAFELIST: list[tuple[str, str, R | None]] = [
    ("Accept", "*/*", None),
    ("Accept", "text/html,application/xhtml+xml;q=0.9", None),
    ("Accept", "text/(html)", R.UNSAFE_BYTE),
    ("Accept", 'a"b', R.UNSAFE_BYTE),
    ("Accept", "a{b", R.UNSAFE_BYTE),
    ("Accept", "a\x01b", R.UNSAFE_BYTE),
    ("Accept", "a" * 128, None),
    ("Accept", "a" * 129, R.VALUE_TOO_LONG),
    ("Accept-Language", "en-US,en;q=0.9", None),
    ("Accept-Language", "en_US", R.VALUE_NOT_ALLOWED),
    ("Content-Language", "de-DE", None),
    ("Content-Language", "de/DE", R.VALUE_NOT_ALLOWED),
    ("Content-Type", "text/plain", None),
    ("Content-Type", "text/plain;charset=utf-8", None),
    ("Content-Type", "TEXT/PLAIN", None),
    ("Content-Type", "application/x-www-form-urlencoded", None),
    ("Content-Type", "multipart/form-data; boundary=x", None),
    ("Content-Type", "application/json", R.CONTENT_TYPE),
    ("Content-Type", "text/html", R.CONTENT_TYPE),
    ("Content-Type", "text", R.CONTENT_TYPE),
    ("Content-Type", 'text/plain; a="{}"', R.UNSAFE_BYTE),
    ("Content-Type", "text/plain; x=" + "b" * 120, R.VALUE_TOO_LONG),
    ("Range", "bytes=0-99", None),
    ("Range", "bytes=100-", None),
    ("Range", "bytes=5-1", R.RANGE),
    ("Range", "bytes=-5", R.RANGE),
    ("Range", "bytes=0-1,5-6", R.RANGE),
    ("Range", "bytes = 0-1", R.RANGE),
    ("Range", "items=0-1", R.RANGE),
    ("X-Api-Key", "k", R.HEADER_NAME),
    ("Authorization", "Bearer t", R.HEADER_NAME),
    ("X-Requested-With", "XMLHttpRequest", R.HEADER_NAME),
    ("Cache-Control", "no-cache", R.HEADER_NAME),
]


@pytest.mark.parametrize(("name", "value", "problem"), SAFELIST)
def test_safelisted_request_headers(name: str, value: str, problem: R | None) -> None:
    assert safelist_problem(name, value) is problem


def test_duplicates_combine_into_one_value_in_first_place() -> None:
    combined = combine(Headers((("X-A", "1"), ("Accept", "a"), ("x-a", "2"))))
    assert combined.pairs == (("X-A", "1, 2"), ("Accept", "a"))


def test_browser_drops_forbidden_headers_and_chromium_drops_user_agent() -> None:
    result = browser_headers(
        Headers((("Cookie", "a=b"), ("User-Agent", "robot"), ("X-A", "1"))), body=None
    )
    assert result.sent.pairs == (("X-A", "1"),)
    assert result.dropped == (("Cookie", "a=b"),)
    assert result.dropped_by_browser == (("User-Agent", "robot"),)


@pytest.mark.parametrize(
    ("headers", "body", "content_type"),
    [
        ((), b"x", "text/plain;charset=UTF-8"),
        ((("Content-Type", "application/json"),), b"{}", "application/json"),
        ((), None, None),
    ],
)
def test_a_string_body_brings_its_content_type(
    headers: tuple[tuple[str, str], ...], body: bytes | None, content_type: str | None
) -> None:
    assert browser_headers(Headers(headers), body).sent.get("Content-Type") == content_type


TRIGGERS: list[tuple[str, tuple[tuple[str, str], ...], list[R], tuple[str, ...]]] = [
    ("GET", (), [], ()),
    ("HEAD", (), [], ()),
    ("POST", (("Content-Type", "text/plain"),), [], ()),
    ("POST", (("Content-Type", "application/json"),), [R.CONTENT_TYPE], ("content-type",)),
    ("PUT", (), [R.METHOD], ()),
    ("patch", (), [R.METHOD], ()),
    ("DELETE", (("X-Api-Key", "k"),), [R.METHOD, R.HEADER_NAME], ("x-api-key",)),
    ("GET", (("X-B", "1"), ("X-A", "2")), [R.HEADER_NAME, R.HEADER_NAME], ("x-a", "x-b")),
    ("GET", (("Accept", "text/html"), ("X-Api-Key", "k")), [R.HEADER_NAME], ("x-api-key",)),
    ("GET", (("Range", "bytes=0-1,5-6"),), [R.RANGE], ("range",)),
    ("GET", (("Authorization", "Bearer t"),), [R.HEADER_NAME], ("authorization",)),
    (
        "GET",
        (("Accept", "a" * 128), ("Accept-Language", "b" * 128), ("Content-Language", "c" * 128)),
        [],
        (),
    ),
]


@pytest.mark.parametrize(
    ("method", "headers", "reasons", "names"),
    TRIGGERS,
    ids=[f"{m}-{'-'.join(n for n, _ in h) or 'none'}"[:60] for m, h, _, _ in TRIGGERS],
)
def test_preflight_triggers(
    method: str,
    headers: tuple[tuple[str, str], ...],
    reasons: list[R],
    names: tuple[str, ...],
) -> None:
    triggers = preflight_triggers(method, Headers(headers))
    assert [t.reason for t in triggers.triggers] == reasons
    assert triggers.unsafe_names == names


def test_over_1024_bytes_of_safelisted_values_trigger_and_sort_after_the_unsafe_names() -> None:
    pairs = (
        ("Accept", "a" * 128),
        ("Accept-Language", "b" * 128),
        ("Content-Language", "c" * 128),
        ("Content-Type", "text/plain;" + "d" * 117),
        ("Range", "bytes=0-" + "9" * 120),
        ("DPR", "2" * 100),
        ("Viewport-Width", "1" * 120),
        ("Width", "1" * 120),
        ("Device-Memory", "8" * 120),
        ("X-Z", "1"),
    )
    triggers = preflight_triggers("GET", Headers(pairs))
    reasons = [t.reason for t in triggers.triggers]
    assert R.TOTAL_TOO_LONG in reasons
    assert triggers.check_order[0] == "x-z"
    assert set(triggers.check_order[1:]) == set(triggers.unsafe_names) - {"x-z"}
    assert list(triggers.check_order[1:]) == sorted(triggers.check_order[1:])
    assert "accept" in triggers.unsafe_names


def test_client_hints_are_safelisted_by_chromium_only() -> None:
    hints = engine_only_safelisted(Headers((("DPR", "2"), ("X-A", "1"), ("ECT", "4g"))))
    assert [n for n, _ in hints] == ["DPR", "ECT"]
