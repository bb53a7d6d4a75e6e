"""The engine's remembered look-ups (functools.lru_cache) answer each question for its own inputs.

A cache keyed on too little would hand the second origin, URL, base, engine or header order the
first one's answer; every table below asks the differing questions in both orders, with the
caches full of the other's answer, and compares with the answer computed afresh (caches
cleared) or with the rule written out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from types import MappingProxyType
from typing import Any

import pytest

from cors_probe import secrets
from cors_probe.codes import FindingCode
from cors_probe.inputs.request import RequestOptions, build
from cors_probe.model import AddressSpace, Headers, Report, RequestShape, WireRequest, WireResponse
from cors_probe.policy import gates, grammar, metadata, safelist, url
from cors_probe.policy.browsers import BROWSERS, CHROMIUM, FIREFOX, SCRIPT, WEBKIT
from cors_probe.policy.url import Url, parse_url
from cors_probe.usecases import check

CACHED: tuple[Any, ...] = (
    metadata.is_ip,
    metadata.potentially_trustworthy,
    metadata.site,
    metadata._tokens,
    metadata._arrangement,
    metadata._merged,
    gates.address_space,
    gates.host_space,
    url.parse_url,
    url._parse_host,
    grammar.parse_mime_type,
    grammar.parse_token_list,
    secrets.is_secret,
    safelist._triggers,
    safelist._browser_headers,
)


def forget() -> None:
    for function in CACHED:
        function.cache_clear()
    metadata._DEFAULTS.clear()


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    forget()
    yield
    forget()


def both_orders(
    cases: list[tuple[Any, ...]], ask: Callable[..., object]
) -> list[tuple[object, object, object]]:
    """Each case's answer asked afresh, then after every other case (forwards and backwards)."""
    fresh = []
    for case in cases:
        forget()
        fresh.append(ask(*case))
    forget()
    forwards = [ask(*case) for case in cases]
    backwards = [ask(*case) for case in reversed(cases)][::-1]
    return list(zip(fresh, forwards, backwards, strict=True))


@pytest.mark.parametrize(
    ("ask", "cases"),
    [
        (metadata.is_ip, [("10.0.0.1",), ("example.com",), ("[::1]",), ("::1",), ("1.2.3",)]),
        (
            metadata.potentially_trustworthy,
            [("http", "example.com"), ("https", "example.com"), ("http", "localhost"),
             ("http", "127.0.0.1"), ("http", "[::1]"), ("ws", "example.com")],
        ),
        (
            metadata.site,
            [("https", "a.example.co.uk"), ("http", "a.example.co.uk"), ("https", "b.github.io"),
             ("https", "a.github.io"), ("https", "10.0.0.1"), ("https", "localhost")],
        ),
        (
            gates.address_space,
            [("10.0.0.1",), ("127.0.0.1",), ("8.8.8.8",), ("[::1]",), ("::ffff:192.168.0.1",),
             ("100.64.0.1",), ("example.com",)],
        ),
        (gates.host_space, [("localhost",), ("10.0.0.1",), ("example.com",), ("a.localhost",)]),
        (
            grammar.parse_mime_type,
            [("application/json",), ("text/plain;charset=UTF-8",), ("text/plain",), ("x",)],
        ),
        (secrets.is_secret, [("Authorization",), ("X-Trace",), ("X-Api-Key",), ("Accept",)]),
    ],
    ids=["is-ip", "trustworthy", "site", "address-space", "host-space", "mime", "is-secret"],
)  # fmt: skip
def test_a_pure_look_up_answers_each_value_as_afresh(
    ask: Callable[..., object], cases: list[tuple[Any, ...]]
) -> None:
    answers = both_orders(cases, ask)
    assert all(fresh == forwards == backwards for fresh, forwards, backwards in answers)
    assert len({repr(fresh) for fresh, _, _ in answers}) > 1  # the table asks differing questions


def test_the_site_of_a_host_depends_on_its_scheme() -> None:
    assert metadata.site("https", "a.example.co.uk") == ("https", "example.co.uk")
    assert metadata.site("http", "a.example.co.uk") == ("http", "example.co.uk")


def _base(text: str) -> Url:
    parsed = parse_url(text)
    assert isinstance(parsed, Url)
    return parsed


def test_a_relative_url_is_resolved_against_its_own_base() -> None:
    one, other = _base("https://a.example/x/y"), _base("http://b.example:8080/z/")
    first = parse_url("next?q=1", one)
    second = parse_url("next?q=1", other)
    assert isinstance(first, Url)
    assert isinstance(second, Url)
    assert first.serialise() == "https://a.example/x/next?q=1"
    assert second.serialise() == "http://b.example:8080/z/next?q=1"
    assert parse_url("next?q=1") != first  # no base: not a URL at all


def test_a_header_preflights_in_one_engine_and_not_in_another() -> None:
    """Chromium safelists a well-formed client hint; Firefox and WebKit preflight it; a profile
    replaced under the same name is another engine (the cache holds engines by identity)."""
    hint = Headers.of(("DPR", "2"))
    without_hints = replace(CHROMIUM, extra_safelisted_headers=MappingProxyType({}))
    for engines in ((CHROMIUM, FIREFOX, without_hints), (without_hints, FIREFOX, CHROMIUM)):
        forget()
        found = {id(b): safelist.preflight_triggers("GET", hint, b).unsafe_names for b in engines}
        assert found[id(CHROMIUM)] == ()
        assert found[id(FIREFOX)] == ("dpr",)
        assert found[id(without_hints)] == ("dpr",)


def test_the_method_and_the_headers_are_part_of_the_question() -> None:
    json_type = Headers.of(("Content-Type", "application/json"))
    plain = Headers.of(("Content-Type", "text/plain"))
    asked = [("PUT", plain), ("GET", plain), ("GET", json_type), ("PUT", json_type)]
    answers = both_orders(
        [(m, h) for m, h in asked], lambda m, h: safelist.preflight_triggers(m, h, WEBKIT)
    )
    assert all(fresh == forwards == backwards for fresh, forwards, backwards in answers)
    assert [bool(fresh.triggers) for fresh, _, _ in answers] == [True, False, True, True]  # type: ignore[attr-defined]


def _ordered_as_written(pairs: list[tuple[str, str]], order: tuple[str, ...]) -> list[Any]:
    """The engine's order, read literally: each name of `order` where it stands (case-blind),
    the headers it does not name where SCRIPT stands, or at the end without one."""
    named = {n.lower() for n in order if n != SCRIPT}
    out: list[tuple[str, str]] = []
    for token in order:
        if token == SCRIPT:
            out += [p for p in pairs if p[0].lower() not in named]
        else:
            out += [p for p in pairs if p[0].lower() == token.lower()]
    if SCRIPT not in order:
        out += [p for p in pairs if p[0].lower() not in named]
    return out


PAIRS = [
    ("X-Custom", "1"),
    ("accept", "*/*"),
    ("Origin", "https://app.example"),
    ("x-custom", "2"),
    ("User-Agent", "UA"),
    ("Sec-Fetch-Mode", "cors"),
    ("Content-Type", "application/json"),
    ("Referer", "https://app.example/"),
    ("ACCEPT-LANGUAGE", "en"),
]


@pytest.mark.parametrize("browser", BROWSERS, ids=[b.name for b in BROWSERS])
def test_headers_take_each_engine_order(browser: Any) -> None:
    orders = [browser.actual_order, browser.preflight_order, browser.redirected_order]
    orders += [
        browser.cross_redirected_order,
        tuple(t for t in browser.actual_order if t != SCRIPT),
    ]
    for order in [o for o in orders if o is not None] * 2:  # the second round from the cache
        assert metadata._ordered(PAIRS, order) == _ordered_as_written(PAIRS, order)


ARRANGED = [
    PAIRS,
    list(reversed(PAIRS)),
    [(n.upper(), v) for n, v in PAIRS],
    [("Accept", "a"), ("ACCEPT", "b"), ("X-Custom", "c")],
    [("User-Agent", "UA")],
    [],
]


@pytest.mark.parametrize("browser", BROWSERS, ids=[b.name for b in BROWSERS])
def test_an_arrangement_is_remembered_by_names_and_order(browser: Any) -> None:
    orders = [browser.actual_order, browser.preflight_order, (SCRIPT, "Accept"), ("accept",)]
    cases = [(index, order) for index in range(len(ARRANGED)) for order in orders]
    answers = both_orders(cases, lambda i, order: metadata._ordered(ARRANGED[i], order))
    assert all(fresh == forwards == backwards for fresh, forwards, backwards in answers)
    assert [fresh for fresh, _, _ in answers] == [
        _ordered_as_written(ARRANGED[i], order) for i, order in cases
    ]


def _shape(origin: str, target: str, method: str = "GET", *headers: str) -> RequestShape:
    return build(RequestOptions(target, origin, method, headers, credentials=True))


def _send(request: WireRequest) -> WireResponse:
    origin = request.headers.get("Origin") or "*"
    return WireResponse(
        204 if request.method == "OPTIONS" else 200,
        Headers.of(
            ("Access-Control-Allow-Origin", origin),
            ("Access-Control-Allow-Credentials", "true"),
            ("Access-Control-Allow-Methods", "PUT"),
            ("Access-Control-Allow-Headers", "content-type"),
            ("Vary", "Origin"),
        ),
    )


def _check(shape: RequestShape) -> Report:
    return check.run(shape, _send, browsers=BROWSERS, consent=lambda _: True)


CHECKS = [
    _shape("https://www.example.com", "https://api.example.com/a"),
    _shape("https://evil.example.net", "https://api.example.com/a"),
    _shape("https://www.example.com", "https://api.example.com/a", "PUT", "Content-Type: a/b"),
    _shape("http://www.example.com", "https://api.example.com/a"),
    _shape("https://app.example.co.uk", "https://api.example.co.uk/a"),
    _shape("http://public.example", "http://10.0.0.5/a"),
    _shape("http://10.0.0.2", "http://10.0.0.5/a"),
    _shape("http://localhost:3000", "http://10.0.0.5/a"),
]


def test_whole_checks_in_one_process_each_get_their_own_report() -> None:
    """Every engine's report of each check equals its report computed with every cache empty,
    whichever checks ran before it."""
    answers = both_orders([(shape,) for shape in CHECKS], _check)
    assert all(fresh == forwards == backwards for fresh, forwards, backwards in answers)


def _sent(report: Report, name: str) -> list[str | None]:
    return [e.request.headers.get(name) for e in report.outcome.exchanges]


def test_two_pages_calling_one_api_are_told_apart() -> None:
    """Sec-Fetch-Site is the page's relation to the URL (same-site from www.example.com,
    cross-site from evil.example.net, https://w3c.github.io/webappsec-fetch-metadata/), Origin
    and Referer its own; Local Network Access gates a public page's request to a private
    address, not a private page's (https://wicg.github.io/local-network-access/)."""
    same, cross = _check(CHECKS[0]), _check(CHECKS[1])
    assert _sent(same, "Sec-Fetch-Site") == ["same-site"]
    assert _sent(cross, "Sec-Fetch-Site") == ["cross-site"]
    assert _sent(same, "Origin") == ["https://www.example.com"]
    assert _sent(cross, "Referer") == ["https://evil.example.net/"]
    public, private = _check(CHECKS[5]), _check(CHECKS[6])
    assert public.shape.page_address_space is AddressSpace.PUBLIC
    assert FindingCode.LOCAL_NETWORK_INSECURE_PAGE in {f.code for f in public.outcome.findings}
    assert not [f for f in private.outcome.findings if f.code.value.startswith("local-network")]


def test_a_host_is_remembered_by_its_raw_text() -> None:
    hosts = ["API.Example", "api.example", "127.1", "0x7f.0.0.1", "[::1]", "%FF", "b\u00fccher.de"]
    answers = both_orders([(h,) for h in hosts], url._parse_host)
    assert all(fresh == forwards == backwards for fresh, forwards, backwards in answers)
    assert [fresh for fresh, _, _ in answers][:5] == [
        "api.example",
        "api.example",
        "127.0.0.1",
        "127.0.0.1",
        "[::1]",
    ]


def test_a_token_list_is_remembered_by_its_value_and_how_empty_items_count() -> None:
    values = [None, "", "PUT", "PUT, , DELETE", "put,DELETE", " a ,b ", "a b, c", "a,,b"]
    cases = [(v, skip) for v in values for skip in (True, False)]
    answers = both_orders(cases, lambda v, skip: grammar.parse_token_list(v, skip_empty=skip))
    assert all(fresh == forwards == backwards for fresh, forwards, backwards in answers)
    skipped, kept = answers[6][0], answers[7][0]  # "PUT, , DELETE"
    assert skipped == grammar.ListParse(("PUT", "DELETE"))
    assert kept == grammar.ListParse(("PUT",), bad_item="")


def _dressed(
    browser: Any, urls: tuple[str, ...], page: str, preflight: bool, extra: tuple[Any, ...]
) -> Headers:
    user_agent, credentials, mode = extra
    url_list = [parse_url(u) for u in urls]
    assert all(isinstance(u, Url) for u in url_list)
    origin = parse_url(page)
    assert isinstance(origin, Url)
    given = Headers.of(("Accept", "*/*"), ("X-Trace", "1"), ("Origin", page))
    return metadata.dress(
        browser,
        given,
        url=url_list[-1],  # type: ignore[arg-type]
        url_list=url_list,  # type: ignore[arg-type]
        page=origin.origin(),
        preflight=preflight,
        user_agent=user_agent,
        credentials=credentials,
        mode=mode,
    )


def test_default_headers_are_remembered_by_engine_origins_and_request() -> None:
    twin = replace(CHROMIUM, user_agent="Twin/1.0", priority=None)  # CHROMIUM's name, not its UA
    engines = [CHROMIUM, FIREFOX, WEBKIT, twin]
    chains = [
        ("https://api.example/a",),
        ("https://api.example/b?q=1",),
        ("http://api.example/a",),
        ("http://localhost:8080/a",),
        ("https://app.example/a", "https://api.example/b"),
        ("https://api.example/a", "https://api.example/b"),
        ("https://api.example/a", "https://other.test/b"),
    ]
    pages = ["https://app.example", "http://app.example", "https://www.api.example"]
    extras = [(None, False, "cors"), ("probe/1", False, "cors"), (None, True, "cors")]
    extras.append((None, True, "no-cors"))
    cases = [
        (b, c, p, pre, e)
        for b in engines
        for c in chains
        for p in pages
        for pre in (False, True)
        for e in extras
    ]
    answers = both_orders(cases, _dressed)
    assert all(fresh == forwards == backwards for fresh, forwards, backwards in answers)
    twin_dressed, chromium_dressed = (
        _dressed(e, chains[0], pages[0], False, extras[0]) for e in (twin, CHROMIUM)
    )
    assert twin_dressed.get("User-Agent") == "Twin/1.0"
    assert chromium_dressed.get("User-Agent") == CHROMIUM.user_agent


GIVEN = [
    (("Accept", "*/*"), ("Origin", "https://app.example")),
    (("user-agent", "Mine/1"), ("Accept-Language", "fr"), ("X-A", "1"), ("x-a", "2")),
    (("ACCEPT-ENCODING", "br"), ("Referer", "https://app.example/x"), ("Priority", "u=0")),
    (),
]


@pytest.mark.parametrize("browser", BROWSERS, ids=[b.name for b in BROWSERS])
def test_dressed_headers_are_the_given_ones_and_the_defaults_not_given_in_order(
    browser: Any,
) -> None:
    target = parse_url("https://api.example/v1")
    page = parse_url("https://app.example")
    assert isinstance(target, Url)
    assert isinstance(page, Url)
    for given in GIVEN * 2:  # the second round from the caches
        for preflight in (False, True):
            defaults, order = metadata._defaults(
                browser,
                url=target,
                url_list=[target],
                page=page.origin(),
                preflight=preflight,
                user_agent=None,
                credentials=False,
                mode="cors",
            )
            present = {n.lower() for n, _ in given}
            pairs = [*given, *((n, v) for n, v in defaults if n.lower() not in present)]
            dressed = metadata.dress(
                browser,
                Headers(given),
                url=target,
                url_list=[target],
                page=page.origin(),
                preflight=preflight,
            )
            assert list(dressed) == _ordered_as_written(pairs, order)


def test_the_header_guard_is_remembered_by_headers_body_and_engine() -> None:
    keeps_ua = replace(CHROMIUM, dropped_request_headers=frozenset())  # same name, other rule
    engines = [CHROMIUM, FIREFOX, WEBKIT, keeps_ua]
    lists = [
        (("Content-Type", "application/json"),),
        (("content-type", "application/json"),),
        (("User-Agent", "mine"), ("X-A", "1"), ("x-a", "2")),
        (("Cookie", "a=1"), ("Accept", "*/*")),
        (),
    ]
    cases = [(e, h, b) for e in engines for h in lists for b in (None, b"{}", b"")]
    answers = both_orders(cases, lambda e, h, b: safelist.browser_headers(Headers(h), b, e))
    assert all(fresh == forwards == backwards for fresh, forwards, backwards in answers)
    by_case = dict(zip(((e.name, id(e), h, b) for e, h, b in cases), answers, strict=True))
    ua = (("User-Agent", "mine"), ("X-A", "1"), ("x-a", "2"))
    chromium = by_case[("chrome", id(CHROMIUM), ua, None)][0]
    kept = by_case[("chrome", id(keeps_ua), ua, None)][0]
    assert chromium.dropped_by_browser == (("User-Agent", "mine"),)  # type: ignore[attr-defined]
    assert kept.dropped_by_browser == ()  # type: ignore[attr-defined]
    assert by_case[("firefox", id(FIREFOX), (), b"")][0].sent == Headers.of(  # type: ignore[attr-defined]
        ("Content-Type", "text/plain;charset=UTF-8")
    )


def test_arrangements_are_remembered_by_the_given_names_beyond_what_an_entry_keeps() -> None:
    """One entry of remembered defaults, more lists of given names than it keeps arrangements
    for (`ARRANGEMENTS_KEPT`): each list dressed as when nothing was remembered."""
    target = parse_url("https://api.example/v1")
    page = parse_url("https://app.example")
    assert isinstance(target, Url)
    assert isinstance(page, Url)

    def dress(count: int, case: str) -> Headers:
        names = [f"X-N{i}" for i in range(count)] + ["Accept-Language", "Origin"]
        given = Headers(tuple((getattr(n, case)(), "1") for n in names))
        return metadata.dress(
            CHROMIUM, given, url=target, url_list=[target], page=page.origin(), preflight=False
        )

    cases = [
        (count, case)
        for count in range(metadata.ARRANGEMENTS_KEPT + 6)
        for case in ("lower", "title")
    ]
    answers = both_orders(cases, dress)
    assert all(fresh == forwards == backwards for fresh, forwards, backwards in answers)
