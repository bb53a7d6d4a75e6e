"""Which captured headers the script set and which the browser added (policy/capture.py).

Header sets are those the engines put on fetch() requests (policy/browsers.py's measured orders,
https://fetch.spec.whatwg.org/#forbidden-request-header, https://wicg.github.io/ua-client-hints/).
"""

from __future__ import annotations

import pytest

from cors_probe.model import DroppedHeader, Headers
from cors_probe.policy.browsers import CHROMIUM, FIREFOX, Browser
from cors_probe.policy.capture import (
    REASONS,
    is_generated_language_list,
    split_captured,
)

CHROME_PUT = (
    ("sec-ch-ua-platform", '"Linux"'),
    ("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/156"),
    ("sec-ch-ua", '"Chromium";v="156", "Not:A-Brand";v="99"'),
    ("Content-Type", "application/json"),
    ("sec-ch-ua-mobile", "?0"),
    ("X-Token", "abc"),
    ("Accept", "*/*"),
    ("Origin", "http://127.0.0.1:4000"),
    ("Sec-Fetch-Site", "same-site"),
    ("Sec-Fetch-Mode", "cors"),
    ("Sec-Fetch-Dest", "empty"),
    ("Sec-Fetch-Storage-Access", "none"),
    ("Referer", "http://127.0.0.1:4000/page.html"),
    ("Accept-Encoding", "gzip, deflate, br, zstd"),
    ("Accept-Language", "en-US,en;q=0.9"),
    ("Cookie", "sid=s3cr3t"),
)
FIREFOX_POST = (
    ("Host", "127.0.0.1:5000"),
    ("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0"),
    ("Accept", "*/*"),
    ("Accept-Language", "en-US,en;q=0.5"),
    ("Accept-Encoding", "gzip, deflate, br, zstd"),
    ("Referer", "http://127.0.0.1:4000/"),
    ("Content-Type", "text/plain;charset=UTF-8"),
    ("Origin", "http://127.0.0.1:4000"),
    ("Connection", "keep-alive"),
    ("Sec-Fetch-Dest", "empty"),
    ("Sec-Fetch-Mode", "cors"),
    ("Sec-Fetch-Site", "same-site"),
    ("Priority", "u=4"),
    ("Pragma", "no-cache"),
    ("Cache-Control", "no-cache"),
)

SPLITS = [
    pytest.param(
        CHROME_PUT,
        CHROMIUM,
        True,
        [("Content-Type", "application/json"), ("X-Token", "abc")],
        {
            "sec-ch-ua-platform": "client-hint",
            "user-agent": "engine-default",
            "sec-ch-ua": "client-hint",
            "sec-ch-ua-mobile": "client-hint",
            "accept": "engine-default",
            "origin": "forbidden",
            "sec-fetch-site": "sec",
            "sec-fetch-mode": "sec",
            "sec-fetch-dest": "sec",
            "sec-fetch-storage-access": "sec",
            "referer": "forbidden",
            "accept-encoding": "forbidden",
            "accept-language": "engine-default",
            "cookie": "cookie",
        },
        "sid=s3cr3t",
        id="chromium-put-json-credentialed",
    ),
    pytest.param(
        FIREFOX_POST,
        FIREFOX,
        True,
        [],
        {
            "host": "forbidden",
            "user-agent": "engine-default",
            "accept": "engine-default",
            "accept-language": "engine-default",
            "accept-encoding": "forbidden",
            "referer": "forbidden",
            "content-type": "engine-default",
            "origin": "forbidden",
            "connection": "forbidden",
            "sec-fetch-dest": "sec",
            "sec-fetch-mode": "sec",
            "sec-fetch-site": "sec",
            "priority": "engine-default",
            "pragma": "capture-tool",
            "cache-control": "capture-tool",
        },
        None,
        id="firefox-post-string-body-cache-disabled",
    ),
    pytest.param(
        (("Content-Type", "text/plain;charset=UTF-8"), ("Accept", "application/json")),
        CHROMIUM,
        False,
        [("Content-Type", "text/plain;charset=UTF-8"), ("Accept", "application/json")],
        {},
        None,
        id="no-body: a text/plain Content-Type is the script's; a non-default Accept too",
    ),
    pytest.param(
        (("Cache-Control", "no-cache"), ("X-A", "1")),
        CHROMIUM,
        False,
        [("Cache-Control", "no-cache"), ("X-A", "1")],
        {},
        None,
        id="Cache-Control alone is the script's (DevTools adds the pair)",
    ),
    pytest.param(
        (("Accept-Language", "de"), ("User-Agent", "my-bot/1"), ("X-HTTP-Method-Override", "GET")),
        FIREFOX,
        False,
        [("Accept-Language", "de"), ("User-Agent", "my-bot/1"), ("X-HTTP-Method-Override", "GET")],
        {},
        None,
        id="firefox: a script's single language, own User-Agent, harmless override are kept",
    ),
    pytest.param(
        (("User-Agent", "my-bot/1"), ("X-HTTP-Method-Override", "TRACE")),
        CHROMIUM,
        False,
        [],
        {"user-agent": "forbidden", "x-http-method-override": "forbidden"},
        None,
        id="chromium drops a script's User-Agent; a forbidden method override is forbidden",
    ),
    pytest.param(
        (
            (":authority", "api.example"),
            ("Proxy-Authorization", "Basic eA=="),
            ("Sec-GPC", "1"),
            ("Cookie", "a=1"),
            ("cookie", "b=2"),
            ("Upgrade-Insecure-Requests", "1"),
        ),
        CHROMIUM,
        False,
        [],
        {
            ":authority": "forbidden",
            "proxy-authorization": "forbidden",
            "sec-gpc": "sec",
            "cookie": "cookie",
            "upgrade-insecure-requests": "engine-default",
        },
        "a=1; b=2",
        id="pseudo-header, Proxy-, Sec-GPC, two Cookie lines joined",
    ),
]


@pytest.mark.parametrize(("pairs", "browser", "has_body", "kept", "reasons", "cookie"), SPLITS)
def test_split_captured(
    pairs: tuple[tuple[str, str], ...],
    browser: Browser,
    has_body: bool,
    kept: list[tuple[str, str]],
    reasons: dict[str, str],
    cookie: str | None,
) -> None:
    split = split_captured(pairs, browser, has_body=has_body)
    assert list(split.kept) == kept
    assert {d.name.lower(): d.reason for d in split.dropped} == reasons
    assert split.cookie == cookie
    # every captured header is either kept or dropped, in capture order, values untouched
    dropped = [(d.name, d.value) for d in split.dropped]
    assert sorted([*kept, *dropped]) == sorted(pairs)
    assert dropped == [p for p in pairs if p in dropped]


def test_accepts_headers_and_reason_codes_are_those_of_the_model() -> None:
    split = split_captured(Headers(CHROME_PUT), CHROMIUM, has_body=True)
    assert {d.reason for d in split.dropped} <= set(REASONS)
    assert all(isinstance(d, DroppedHeader) for d in split.dropped)
    assert set(REASONS) == {
        "forbidden",
        "sec",
        "client-hint",
        "engine-default",
        "cookie",
        "capture-tool",
    }


@pytest.mark.parametrize(
    ("value", "generated"),
    [
        ("en-US,en;q=0.9", True),  # Chromium's default
        ("en-US,en;q=0.5", True),  # Firefox's default
        ("en-US", True),  # headless, no locale
        ("de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7", True),  # a German user's Chromium
        ("fr, en;q=0.5", True),
        ("de", False),  # one tag: the script's
        ("en-US,en;q=0.9,de;q=0.9", False),  # q not decreasing
        ("en;q=0.9,de;q=0.8", False),  # the first tag never has a q-value
        ("en-US,en", False),  # the second tag has no q-value
        ("en_US,en;q=0.9", False),  # not a language tag
    ],
)
def test_generated_language_lists(value: str, generated: bool) -> None:
    assert is_generated_language_list(value, CHROMIUM) is generated
