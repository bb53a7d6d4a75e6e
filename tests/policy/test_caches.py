"""The cache rules (policy/caches.py), as tables: RFC 9111 freshness, Vary, CDN markers, the
comparison findings and the lookalike origins."""

from __future__ import annotations

import pytest

from cors_probe.codes import FindingCode as C
from cors_probe.model import Headers, Origin, Severity, Stage, WireResponse
from cors_probe.policy import caches
from cors_probe.policy.browsers import BROWSERS, BY_NAME, CHROMIUM, FIREFOX, WEBKIT
from cors_probe.policy.findings import Where

PAGE = "https://app.example.com"
WHERE = Where(Stage.ACTUAL, "https://api.example.com/items", "", PAGE)
ENGINES = {b.name: b for b in BROWSERS}
DATE = "Mon, 30 Nov 2026 12:00:00 GMT"
ALL_LOADS = "img, no-cors, no-cors-include"


def answer(*pairs: tuple[str, str], status: int = 200) -> WireResponse:
    return WireResponse(status, Headers(pairs))


VARY: list[tuple[str, tuple[str, ...], bool]] = [
    ("absent", (), False),
    ("origin", ("Origin",), True),
    ("origin-lower", ("origin",), True),
    ("star", ("*",), True),
    ("origin-in-list", ("Accept-Encoding, Origin",), True),
    ("origin-accept", ("origin, accept",), True),
    ("two-lines", ("Accept", "Origin"), True),
    ("accept-only", ("Accept",), False),
    ("origin-prefix-is-not-origin", ("Origin-Agent",), False),
    ("empty", ("",), False),
]


@pytest.mark.parametrize(("vary", "covers"), [v[1:] for v in VARY], ids=[v[0] for v in VARY])
def test_vary_covers_origin(vary: tuple[str, ...], covers: bool) -> None:
    headers = Headers(tuple(("Vary", v) for v in vary))
    assert caches.vary_covers_origin(headers) is covers


FRESHNESS: list[tuple[str, tuple[tuple[str, str], ...], int, bool, int, str]] = [
    # id, headers, status, shared, seconds, source
    ("max-age", (("Cache-Control", "max-age=600"),), 200, False, 600, "max-age"),
    ("max-age-shared", (("Cache-Control", "max-age=600"),), 200, True, 600, "max-age"),
    (
        "s-maxage-wins-shared",
        (("Cache-Control", "max-age=60, s-maxage=600"),),
        200,
        True,
        600,
        "s-maxage",
    ),
    (
        "s-maxage-ignored-private",
        (("Cache-Control", "max-age=60, s-maxage=600"),),
        200,
        False,
        60,
        "max-age",
    ),
    ("no-store", (("Cache-Control", "no-store, max-age=600"),), 200, False, 0, "no-store"),
    ("no-cache", (("Cache-Control", "no-cache"),), 200, False, 0, "no-cache"),
    ("private-browser", (("Cache-Control", "private, max-age=600"),), 200, False, 600, "max-age"),
    ("private-cdn", (("Cache-Control", "private, max-age=600"),), 200, True, 0, "private"),
    ("quoted", (("Cache-Control", 'max-age="600"'),), 200, False, 600, "max-age"),
    ("absent", (), 200, False, 0, "none"),
    ("absent-500", (), 500, False, 0, "status"),
    (
        "expires",
        (("Date", DATE), ("Expires", "Mon, 30 Nov 2026 13:00:00 GMT")),
        200,
        False,
        3600,
        "expires",
    ),
    (
        "expires-past",
        (("Date", DATE), ("Expires", "Mon, 30 Nov 2026 11:00:00 GMT")),
        200,
        False,
        0,
        "expires",
    ),
    ("expires-invalid", (("Date", DATE), ("Expires", "0")), 200, False, 0, "expires"),
    (
        "heuristic",
        (("Date", DATE), ("Last-Modified", "Fri, 20 Nov 2026 12:00:00 GMT")),
        200,
        False,
        86400,
        "heuristic",
    ),
    (
        "heuristic-404",
        (("Date", DATE), ("Last-Modified", "Fri, 20 Nov 2026 12:00:00 GMT")),
        404,
        False,
        86400,
        "heuristic",
    ),
    (
        "heuristic-not-for-500",
        (("Date", DATE), ("Last-Modified", "Fri, 20 Nov 2026 12:00:00 GMT")),
        500,
        False,
        0,
        "status",
    ),
    ("max-age-500", (("Cache-Control", "max-age=60"),), 500, False, 60, "max-age"),
]


@pytest.mark.parametrize(
    ("headers", "status", "shared", "seconds", "source"),
    [f[1:] for f in FRESHNESS],
    ids=[f[0] for f in FRESHNESS],
)
def test_freshness_per_rfc_9111(
    headers: tuple[tuple[str, str], ...], status: int, shared: bool, seconds: int, source: str
) -> None:
    fresh = caches.freshness(WireResponse(status, Headers(headers)), shared=shared)
    assert (fresh.seconds, fresh.source) == (seconds, source)


MARKERS: list[tuple[str, tuple[tuple[str, str], ...], bool]] = [
    ("none", (), False),
    ("age-0", (("Age", "0"),), False),
    ("age-120", (("Age", "120"),), True),
    ("varnish-hit", (("X-Cache", "HIT"),), True),
    ("varnish-miss", (("X-Cache", "MISS"),), False),
    ("fastly-hit-miss", (("X-Cache", "HIT, MISS"),), True),
    ("cloudfront-hit", (("X-Cache", "Hit from cloudfront"),), True),
    ("cloudfront-miss", (("X-Cache", "Miss from cloudfront"),), False),
    ("cloudflare-hit", (("CF-Cache-Status", "HIT"),), True),
    ("cloudflare-dynamic", (("CF-Cache-Status", "DYNAMIC"),), False),
    ("cloudflare-revalidated", (("CF-Cache-Status", "REVALIDATED"),), True),
    ("nginx-stale", (("X-Cache-Status", "STALE"),), True),
    ("via-alone", (("Via", "1.1 varnish"),), False),
]


@pytest.mark.parametrize(("headers", "hit"), [m[1:] for m in MARKERS], ids=[m[0] for m in MARKERS])
def test_cdn_markers(headers: tuple[tuple[str, str], ...], hit: bool) -> None:
    response = answer(*headers)
    assert caches.served_from_cache(response.headers) is hit
    finding = caches.shared_cache_hit(WHERE, "page", response)
    assert (finding is not None) is hit
    if finding is not None:
        assert finding.code is C.SHARED_CACHE_HIT
        assert finding.severity is Severity.INFO
        assert finding.detail["request"] == "page"


def test_a_hit_tells_its_markers_with_age_in_seconds() -> None:
    response = answer(("Age", "42"), ("Via", "1.1 varnish"), ("X-Cache", "HIT"))
    finding = caches.shared_cache_hit(WHERE, "no-origin", response)
    assert finding is not None
    assert dict(finding.detail) == {
        "request": "no-origin",
        "age": 42,
        "x_cache": "HIT",
        "via": "1.1 varnish",
    }


ECHO = (("Access-Control-Allow-Origin", PAGE),)
OTHER = "https://other-site.example"
DEPENDS: list[
    tuple[str, tuple[tuple[str, str], ...], list[tuple[tuple[str, str], ...]], str | None]
] = [
    # id, the page's answer, the other answers, the headers that depend on Origin (None: no finding)
    (
        "echo-vs-absent",
        ECHO,
        [(), (("Access-Control-Allow-Origin", OTHER),)],
        "Access-Control-Allow-Origin",
    ),
    ("fixed-but-absent-without-origin", ECHO, [(), ECHO], "Access-Control-Allow-Origin"),
    (
        "wildcard-everywhere",
        (("Access-Control-Allow-Origin", "*"),),
        [(("Access-Control-Allow-Origin", "*"),)],
        None,
    ),
    ("fixed-everywhere", ECHO, [ECHO, ECHO], None),
    ("echo-with-vary", (*ECHO, ("Vary", "Origin")), [(("Vary", "Origin"),)], None),
    ("echo-with-vary-star", (*ECHO, ("Vary", "*")), [()], None),
    ("echo-with-vary-list", (*ECHO, ("Vary", "origin, accept")), [()], None),
    (
        "echo-with-vary-accept",
        (*ECHO, ("Vary", "Accept")),
        [(("Vary", "Accept"),)],
        "Access-Control-Allow-Origin",
    ),
    (
        "credentials-only-for-origin",
        (*ECHO, ("Access-Control-Allow-Credentials", "true")),
        [ECHO],
        "Access-Control-Allow-Credentials",
    ),
    ("no-store-is-never-cached", (*ECHO, ("Cache-Control", "no-store")), [()], None),
    (
        "private-still-in-the-browser",
        (*ECHO, ("Cache-Control", "private")),
        [()],
        "Access-Control-Allow-Origin",
    ),
]


@pytest.mark.parametrize(
    ("page", "others", "depends"), [d[1:] for d in DEPENDS], ids=[d[0] for d in DEPENDS]
)
def test_vary_origin_missing_from_the_comparison(
    page: tuple[tuple[str, str], ...],
    others: list[tuple[tuple[str, str], ...]],
    depends: str | None,
) -> None:
    finding = caches.vary_missing(WHERE, answer(*page), [answer(*o) for o in others])
    if depends is None:
        assert finding is None
        return
    assert finding is not None
    assert (finding.code, finding.severity) == (C.VARY_ORIGIN_MISSING, Severity.WARNING)
    assert finding.detail == {"depends": depends, "compared": len(others) + 1}
    assert finding.value == answer(*page).headers.get("Vary")


CACHED: list[tuple[str, tuple[tuple[str, str], ...], bool, dict[str, str] | None]] = [
    # id, the answer without Origin, credentials, the loads per engine (None: no finding)
    (
        "max-age-no-acao",
        (("Cache-Control", "max-age=600"),),
        False,
        {"chrome": ALL_LOADS, "firefox": "no-cors", "safari": ""},
    ),
    (
        "private-max-age",
        (("Cache-Control", "private, max-age=600"),),
        False,
        {"chrome": ALL_LOADS, "firefox": "no-cors", "safari": ""},
    ),
    (
        "vary-accept-keeps-img-apart",
        (("Cache-Control", "max-age=600"), ("Vary", "Accept")),
        False,
        {"chrome": "no-cors, no-cors-include", "firefox": "no-cors", "safari": ""},
    ),
    ("vary-origin", (("Cache-Control", "max-age=600"), ("Vary", "Origin")), False, None),
    ("vary-star", (("Cache-Control", "max-age=600"), ("Vary", "*")), False, None),
    (
        "vary-origin-accept",
        (("Cache-Control", "max-age=600"), ("Vary", "origin, accept")),
        False,
        None,
    ),
    ("no-store", (("Cache-Control", "no-store"),), False, None),
    ("no-cache", (("Cache-Control", "no-cache"),), False, None),
    ("no-cache-control", (), False, None),
    (
        "wildcard-serves-everyone",
        (("Cache-Control", "max-age=600"), ("Access-Control-Allow-Origin", "*")),
        False,
        None,
    ),
    (
        "wildcard-but-credentials",
        (("Cache-Control", "max-age=600"), ("Access-Control-Allow-Origin", "*")),
        True,
        {"chrome": ALL_LOADS, "firefox": "no-cors-include", "safari": ""},
    ),
    (
        "fixed-page-origin",
        (("Cache-Control", "max-age=600"), ("Access-Control-Allow-Origin", PAGE)),
        False,
        None,
    ),
    (
        "another-origin",
        (("Cache-Control", "max-age=600"), ("Access-Control-Allow-Origin", OTHER)),
        False,
        {"chrome": ALL_LOADS, "firefox": "no-cors", "safari": ""},
    ),
]


@pytest.mark.parametrize(
    ("headers", "credentials", "loads"), [c[1:] for c in CACHED], ids=[c[0] for c in CACHED]
)
def test_cached_without_cors(
    headers: tuple[tuple[str, str], ...], credentials: bool, loads: dict[str, str] | None
) -> None:
    finding = caches.cached_without_cors(
        WHERE, answer(*headers), page=PAGE, credentials=credentials, engines=ENGINES
    )
    if loads is None:
        assert finding is None
        return
    assert finding is not None
    assert (finding.code, finding.severity) == (C.CACHED_WITHOUT_CORS, Severity.WARNING)
    assert finding.detail["seconds"] == 600
    assert {k: finding.detail[k] for k in loads} == loads


def test_each_engine_profile_says_which_loads_poison_it() -> None:
    assert CHROMIUM.http_cache_serves_cors_from == {"img", "no-cors", "no-cors-include"}
    assert FIREFOX.http_cache_serves_cors_from == {"no-cors", "no-cors-include"}
    assert WEBKIT.http_cache_serves_cors_from == frozenset()


LOOKALIKES: list[tuple[str, Origin, dict[str, str]]] = [
    (
        "https-host",
        Origin("https", "app.example.com"),
        {
            "suffix": "https://app.example.com.cors-probe.test",
            "prefix": "https://cors-probe-app.example.com",
            "dot": "https://appxexample.com",
            "scheme": "http://app.example.com",
        },
    ),
    (
        "http-with-port",
        Origin("http", "app.example.com", 8080),
        {
            "suffix": "http://app.example.com.cors-probe.test:8080",
            "prefix": "http://cors-probe-app.example.com:8080",
            "dot": "http://appxexample.com:8080",
        },
    ),
    (
        "ip-has-no-dot-variant",
        Origin("http", "127.0.0.1", 3000),
        {
            "suffix": "http://127.0.0.1.cors-probe.test:3000",
            "prefix": "http://cors-probe-127.0.0.1:3000",
        },
    ),
    (
        "single-label",
        Origin("https", "localhost"),
        {
            "suffix": "https://localhost.cors-probe.test",
            "prefix": "https://cors-probe-localhost",
            "scheme": "http://localhost",
        },
    ),
    ("opaque", Origin.null(), {}),
]


@pytest.mark.parametrize(
    ("page", "expected"), [x[1:] for x in LOOKALIKES], ids=[x[0] for x in LOOKALIKES]
)
def test_lookalike_origins(page: Origin, expected: dict[str, str]) -> None:
    assert caches.lookalikes(page) == expected


LOOKALIKE_ECHO: list[tuple[str, tuple[tuple[str, str], ...], C | None]] = [
    (
        "echo-with-credentials",
        (("Access-Control-Allow-Origin", "{o}"), ("Access-Control-Allow-Credentials", "true")),
        C.ORIGIN_REFLECTED_WITH_CREDENTIALS,
    ),
    (
        "echo-without-credentials",
        (("Access-Control-Allow-Origin", "{o}"),),
        C.ORIGIN_PATTERN_UNANCHORED,
    ),
    (
        "acac-not-true",
        (("Access-Control-Allow-Origin", "{o}"), ("Access-Control-Allow-Credentials", "false")),
        C.ORIGIN_PATTERN_UNANCHORED,
    ),
    ("page-origin-instead", (("Access-Control-Allow-Origin", PAGE),), None),
    ("wildcard", (("Access-Control-Allow-Origin", "*"),), None),
    ("absent", (), None),
]


@pytest.mark.parametrize(
    ("headers", "code"), [x[1:] for x in LOOKALIKE_ECHO], ids=[x[0] for x in LOOKALIKE_ECHO]
)
def test_an_echoed_lookalike(headers: tuple[tuple[str, str], ...], code: C | None) -> None:
    origin = "https://app.example.com.cors-probe.test"
    filled = tuple((n, v.replace("{o}", origin)) for n, v in headers)
    finding = caches.echoed_lookalike(WHERE, "suffix", origin, answer(*filled))
    assert (finding.code if finding else None) is code
    if finding is not None:
        assert finding.severity is Severity.WARNING
        assert finding.detail == {"origin": origin, "pattern": "suffix"}


ANOTHER: list[tuple[str, str | None, tuple[tuple[str, str], ...], bool]] = [
    ("no-origin-gets-page-from-a-cache", None, (*ECHO, ("Age", "30")), True),
    ("other-gets-page-from-a-cache", OTHER, (*ECHO, ("X-Cache", "HIT")), True),
    ("no-origin-gets-page-no-cache-marker", None, ECHO, False),  # a server naming one site
    ("other-gets-page-no-cache-marker", OTHER, (*ECHO, ("Vary", "Origin")), False),
    ("other-gets-its-own", OTHER, (("Access-Control-Allow-Origin", OTHER),), False),
    ("no-origin-gets-none", None, (), False),
    ("wildcard", OTHER, (("Access-Control-Allow-Origin", "*"),), False),
]


@pytest.mark.parametrize(
    ("sent", "headers", "found"), [x[1:] for x in ANOTHER], ids=[x[0] for x in ANOTHER]
)
def test_one_origins_answer_for_another(
    sent: str | None, headers: tuple[tuple[str, str], ...], found: bool
) -> None:
    label = "no-origin" if sent is None else "other-origin"
    finding = caches.answer_for_another(WHERE, label, sent, answer(*headers), PAGE)
    assert (finding is not None) is found
    if finding is not None:
        assert finding.code is C.CORS_CACHED_FOR_ANOTHER_ORIGIN
        assert finding.detail == {"request": label, "origin": sent or ""}


PREFLIGHT: list[tuple[str, str | None, dict[str, int]]] = [
    ("absent", None, {"chrome": 5, "firefox": 5, "safari": 5}),
    ("600", "600", {"chrome": 600, "firefox": 600, "safari": 600}),
    ("a-day", "86400", {"chrome": 7200, "firefox": 86400, "safari": 600}),
    ("garbage", "abc", {"chrome": 5, "firefox": 0, "safari": 5}),
    ("zero", "0", {"chrome": 0, "firefox": 0, "safari": 0}),
]


@pytest.mark.parametrize(
    ("value", "seconds"), [p[1:] for p in PREFLIGHT], ids=[p[0] for p in PREFLIGHT]
)
def test_the_preflight_cache_per_engine(value: str | None, seconds: dict[str, int]) -> None:
    pairs = [
        ("Access-Control-Allow-Methods", "PUT, delete"),
        ("Access-Control-Allow-Headers", "X-Token"),
    ]
    if value is not None:
        pairs.append(("Access-Control-Max-Age", value))
    entries = caches.preflight_entries(answer(*pairs), "PATCH", BROWSERS)
    assert {k: e.seconds for k, e in entries.items()} == seconds
    assert entries["chrome"].methods == ("PUT", "delete", "PATCH")
    assert entries["firefox"].headers == ("x-token",)
    finding = caches.preflight_cached(WHERE, entries)
    if not any(seconds.values()):
        assert finding is None
        return
    assert finding is not None
    assert (finding.code, finding.severity) == (C.PREFLIGHT_CACHED, Severity.INFO)
    assert {k: finding.detail[k] for k in seconds} == seconds
    assert finding.detail["methods"] == "PUT, delete, PATCH"


def test_every_engine_is_named_in_by_name() -> None:
    assert set(BY_NAME) == set(ENGINES)


POISON: list[tuple[str, str, bool, tuple[str, ...], tuple[str, ...]]] = [
    # id, engine, credentials, Vary, the loads that poison its cache
    ("chrome-any-load", "chrome", False, (), ("img", "no-cors", "no-cors-include")),
    ("chrome-credentials-alike", "chrome", True, (), ("img", "no-cors", "no-cors-include")),
    ("chrome-vary-accept", "chrome", False, ("Accept",), ("no-cors", "no-cors-include")),
    ("firefox-same-mode-only", "firefox", False, (), ("no-cors",)),
    ("firefox-credentialed", "firefox", True, (), ("no-cors-include",)),
    ("safari-never", "safari", False, (), ()),
    ("safari-never-credentialed", "safari", True, (), ()),
]


@pytest.mark.parametrize(
    ("engine", "credentials", "vary", "loads"), [p[1:] for p in POISON], ids=[p[0] for p in POISON]
)
def test_which_loads_poison_each_engines_cache(
    engine: str, credentials: bool, vary: tuple[str, ...], loads: tuple[str, ...]
) -> None:
    headers = Headers(tuple(("Vary", v) for v in vary))
    assert caches.poisoning_loads(BY_NAME[engine], headers, credentials) == loads
