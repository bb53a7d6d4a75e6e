"""The headers each engine adds to its requests: Fetch Metadata, Referer, User-Agent, order."""

from __future__ import annotations

import pytest

from cors_probe.model import Headers, Origin
from cors_probe.policy.browsers import BROWSERS, CHROMIUM, Browser
from cors_probe.policy.metadata import dress, fetch_site, is_trustworthy, referrer
from cors_probe.policy.origin import parse_origin
from cors_probe.policy.url import Url, parse_url


def url(text: str) -> Url:
    parsed = parse_url(text)
    assert isinstance(parsed, Url)
    return parsed


def origin(text: str) -> Origin:
    parsed = parse_origin(text)
    assert isinstance(parsed, Origin)
    return parsed


@pytest.mark.parametrize(
    ("page", "urls", "site"),
    [
        ("https://app.example.com", ["https://app.example.com/x"], "same-origin"),
        ("https://app.example.com", ["https://api.example.com/x"], "same-site"),
        ("https://app.example.co.uk", ["https://api.example.co.uk/x"], "same-site"),
        ("https://a.github.io", ["https://b.github.io/x"], "cross-site"),
        ("http://app.example.com", ["https://api.example.com/x"], "cross-site"),
        ("https://app.example.com", ["https://api.other.com/x"], "cross-site"),
        ("http://127.0.0.1:3000", ["http://localhost:8000/x"], "cross-site"),
        ("http://127.0.0.1:3000", ["http://127.0.0.1:8000/x"], "same-site"),
        (
            "https://app.example.com",
            ["https://app.example.com/a", "https://api.other.com/b", "https://app.example.com/c"],
            "cross-site",
        ),
        ("null", ["https://app.example.com/x"], "cross-site"),
    ],
)
def test_sec_fetch_site_is_the_least_related_url_of_the_list(
    page: str, urls: list[str], site: str
) -> None:
    assert fetch_site(origin(page), [url(u) for u in urls]) == site


@pytest.mark.parametrize(
    ("target", "trustworthy"),
    [
        ("https://api.example/", True),
        ("http://localhost:8000/", True),
        ("http://a.localhost/", True),
        ("http://127.0.0.2/", True),
        ("http://[::1]:8000/", True),
        ("http://api.example/", False),
        ("http://10.0.0.1/", False),
    ],
)
def test_potentially_trustworthy_urls(target: str, trustworthy: bool) -> None:
    assert is_trustworthy(url(target)) is trustworthy


def test_the_referrer_is_the_pages_origin_never_downgraded() -> None:
    assert referrer(origin("https://app.example"), url("https://api.example/x")) == (
        "https://app.example/"
    )
    assert referrer(origin("https://app.example"), url("http://api.example/x")) is None
    assert referrer(origin("http://app.example"), url("http://api.example/x")) == (
        "http://app.example/"
    )
    assert referrer(Origin.null(), url("https://api.example/x")) is None


@pytest.mark.parametrize("browser", BROWSERS, ids=[b.name for b in BROWSERS])
def test_fetch_metadata_goes_only_to_trustworthy_urls(browser: Browser) -> None:
    page = origin("https://app.example")
    given = Headers.of(("Accept", "*/*"), ("Origin", "https://app.example"))
    secure = dress(
        browser,
        given,
        url=url("https://api.example/"),
        url_list=[url("https://api.example/")],
        page=page,
        preflight=False,
    )
    plain = dress(
        browser,
        given,
        url=url("http://api.example/"),
        url_list=[url("http://api.example/")],
        page=page,
        preflight=False,
    )
    assert secure.get("Sec-Fetch-Mode") == "cors"
    assert secure.get("Sec-Fetch-Dest") == "empty"
    assert secure.get("Sec-Fetch-Site") == "cross-site"
    assert "Sec-Fetch-Site" not in plain
    assert "Referer" not in plain  # https page to an http URL
    assert secure.get("User-Agent") == browser.user_agent


def test_each_engine_has_its_own_order_and_identity() -> None:
    page = origin("http://127.0.0.1:3000")
    target = url("http://localhost:8000/x")
    given = Headers.of(("X-Api", "1"), ("Accept", "*/*"), ("Origin", "http://127.0.0.1:3000"))
    sent = {
        b.name: dress(b, given, url=target, url_list=[target], page=page, preflight=False)
        for b in BROWSERS
    }
    assert sent["chrome"].names()[:4] == [
        "sec-ch-ua-platform",
        "User-Agent",
        "sec-ch-ua",
        "sec-ch-ua-mobile",
    ]
    assert sent["firefox"].get("Priority") == "u=4"
    assert "sec-ch-ua" not in sent["firefox"]
    assert "sec-ch-ua" not in sent["safari"]
    assert sent["safari"].names()[0] == "X-Api"  # WebKit puts the script's headers first
    assert len({s.get("User-Agent") for s in sent.values()}) == 3
    for headers in sent.values():
        assert headers.get("X-Api") == "1"
        assert len(headers) == len({n.lower() for n in headers.names()})


def test_a_user_agent_override_and_a_script_default_win() -> None:
    page = origin("https://app.example")
    target = url("https://api.example/")
    given = Headers.of(
        ("Accept-Language", "de"),
    )
    sent = dress(
        CHROMIUM,
        given,
        url=target,
        url_list=[target],
        page=page,
        preflight=False,
        user_agent="probe/1",
    )
    assert sent.get("User-Agent") == "probe/1"
    assert sent.get_all("Accept-Language") == ["de"]
