"""What a redirect does to a CORS request (§5.4), one hop at a time, in Chromium's order."""

from __future__ import annotations

import pytest

from cors_probe.codes import FindingCode as C
from cors_probe.model import Headers, Origin, WireResponse
from cors_probe.policy.redirect import Hop, HopFailure, follow, location_of, rewrite_method
from cors_probe.policy.url import Url, parse_url

PAGE = Origin("https", "app.example")
API = "https://api.example/v1/tags"


def url(text: str) -> Url:
    parsed = parse_url(text)
    assert isinstance(parsed, Url)
    return parsed


@pytest.mark.parametrize(
    ("status", "location", "expected"),
    [
        (302, "/v2/tags", "https://api.example/v2/tags"),
        (301, "next", "https://api.example/v1/next"),
        (307, "https://other.example/x", "https://other.example/x"),
        (308, "//cdn.example/y", "https://cdn.example/y"),
        (303, "?page=2", "https://api.example/v1/tags?page=2"),
        (302, "HTTPS://API.EXAMPLE:443/Z", "https://api.example/Z"),
    ],
)
def test_location_is_resolved_against_the_current_url(
    status: int, location: str, expected: str
) -> None:
    target = location_of(WireResponse(status, Headers((("Location", location),))), url(API))
    assert isinstance(target, Url)
    assert target.serialise() == expected


@pytest.mark.parametrize("status", [200, 204, 300, 304, 305, 404])
def test_only_redirect_statuses_with_a_location_redirect(status: int) -> None:
    response = WireResponse(status, Headers((("Location", "/x"),)))
    assert location_of(response, url(API)) is None


def test_a_redirect_without_location_is_the_final_response() -> None:
    assert location_of(WireResponse(302, Headers()), url(API)) is None


REWRITES = [
    (301, "POST", True),
    (302, "POST", True),
    (303, "POST", True),
    (307, "POST", False),
    (308, "POST", False),
    (301, "PUT", False),
    (302, "PUT", False),
    (303, "PUT", True),
    (303, "DELETE", True),
    (303, "GET", False),
    (303, "HEAD", False),
    (301, "GET", False),
]


@pytest.mark.parametrize(("status", "method", "to_get"), REWRITES)
def test_method_rewrite(status: int, method: str, to_get: bool) -> None:
    assert rewrite_method(status, method) is to_get


def hop(
    target: str,
    *,
    status: int = 302,
    current: str = API,
    method: str = "GET",
    headers: tuple[tuple[str, str], ...] = (),
    body: bytes | None = None,
    tainted: bool = False,
    so_far: int = 0,
) -> Hop | HopFailure:
    return follow(
        status=status,
        current=url(current),
        target=url(target),
        page_origin=PAGE,
        method=method,
        headers=Headers(headers),
        body=body,
        tainted=tainted,
        redirects_so_far=so_far,
    )


FAILURES = [
    ("userinfo", "https://user:pass@api.example/x", 0, C.REDIRECT_USERINFO),
    ("user-only", "https://user@api.example/x", 0, C.REDIRECT_USERINFO),
    ("data-scheme", "data:text/plain,hi", 0, C.REDIRECT_SCHEME),
    ("ftp-scheme", "ftp://files.example/x", 0, C.REDIRECT_SCHEME),
    ("javascript", "javascript:alert(1)", 0, C.REDIRECT_SCHEME),
    ("twenty-first", "https://api.example/x", 20, C.TOO_MANY_REDIRECTS),
    ("limit-before-scheme", "data:,x", 20, C.TOO_MANY_REDIRECTS),
]


@pytest.mark.parametrize(
    ("target", "so_far", "code"), [f[1:] for f in FAILURES], ids=[f[0] for f in FAILURES]
)
def test_hops_fetch_refuses(target: str, so_far: int, code: C) -> None:
    result = hop(target, so_far=so_far)
    assert isinstance(result, HopFailure)
    assert result.code is code


def test_the_twentieth_redirect_is_still_followed() -> None:
    assert isinstance(hop("https://api.example/x", so_far=19), Hop)


TAINT = [
    ("same-origin-hop", API, "https://api.example/v2", False, False),
    ("cross-origin-hop", API, "https://other.example/v2", False, True),
    ("back-to-the-page", API, "https://app.example/x", False, True),
    ("from-the-page-origin", "https://app.example/x", "https://api.example/y", False, False),
    ("stays-tainted", API, "https://api.example/v2", True, True),
]


@pytest.mark.parametrize(
    ("current", "target", "before", "after"), [t[1:] for t in TAINT], ids=[t[0] for t in TAINT]
)
def test_origin_taint(current: str, target: str, before: bool, after: bool) -> None:
    result = hop(target, current=current, tainted=before)
    assert isinstance(result, Hop)
    assert result.tainted is after


def test_post_becomes_get_without_body_or_body_headers() -> None:
    result = hop(
        "https://api.example/next",
        status=302,
        method="POST",
        headers=(("Content-Type", "text/plain"), ("X-A", "1"), ("Content-Language", "en")),
        body=b"x",
    )
    assert isinstance(result, Hop)
    assert (result.method, result.body) == ("GET", None)
    assert result.headers.pairs == (("X-A", "1"),)


def test_307_keeps_method_body_and_headers() -> None:
    result = hop(
        "https://api.example/next",
        status=307,
        method="PUT",
        headers=(("Content-Type", "application/json"),),
        body=b"{}",
    )
    assert isinstance(result, Hop)
    assert (result.method, result.body) == ("PUT", b"{}")
    assert result.headers.get("Content-Type") == "application/json"


@pytest.mark.parametrize(
    ("target", "kept"),
    [("https://api.example/next", True), ("https://other.example/next", False)],
)
def test_authorization_is_dropped_on_a_cross_origin_hop(target: str, kept: bool) -> None:
    result = hop(target, headers=(("Authorization", "Bearer t"),))
    assert isinstance(result, Hop)
    assert ("Authorization" in result.headers) is kept
