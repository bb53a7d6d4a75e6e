"""Set-Cookie on CORS responses, per engine: parsing (RFC 6265bis 5.6), rejection (5.7 and each
engine's order), the cross-site fates and the findings. Cross-site fates on loopback are also
measured live by tests/browser/test_cookies.py; these tables add what loopback cannot show
(http: URLs that are not trustworthy, registrable domains, same-site pages)."""

from __future__ import annotations

import pytest

from cors_probe.codes import FindingCode as C
from cors_probe.model import Headers, Origin, RequestShape, Severity, Stage, WireResponse
from cors_probe.policy.browsers import BROWSERS, CHROMIUM, FIREFOX, WEBKIT, Browser
from cors_probe.policy.conversation import Send, converse, drive
from cors_probe.policy.cookies import (
    Context,
    Fate,
    Judgement,
    SetCookie,
    cookie_findings,
    judge,
    parse_set_cookie,
)
from cors_probe.policy.findings import Where
from cors_probe.policy.url import Url, parse_url


def url(text: str) -> Url:
    parsed = parse_url(text)
    assert isinstance(parsed, Url)
    return parsed


def cookie(line: str) -> SetCookie:
    parsed = parse_set_cookie(line)
    assert parsed is not None
    return parsed


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("sid=abc", SetCookie("sid", None, False, False, None, None)),
        (
            "sid=abc; SameSite=None; Secure; Partitioned; Path=/",
            SetCookie("sid", "none", True, True, None, "/"),
        ),
        ("sid=abc; samesite=STRICT", SetCookie("sid", "strict", False, False, None, None)),
        ("sid=abc; SameSite=bogus", SetCookie("sid", None, False, False, None, None, True)),
        ("sid=abc; SameSite=x; SameSite=Lax", SetCookie("sid", "lax", False, False, None, None)),
        (
            "sid=abc; SameSite=Lax; SameSite=None",
            SetCookie("sid", "none", False, False, None, None),
        ),
        ("sid=; Domain=.Example.COM", SetCookie("sid", None, False, False, "example.com", None)),
        ("sid=1; Domain=", SetCookie("sid", None, False, False, None, None)),
        ("sid=1; Path=relative", SetCookie("sid", None, False, False, None, None)),
        ("  sid = 1 ;secure", SetCookie("sid", None, True, False, None, None)),
        ("nameless", SetCookie("", None, False, False, None, None)),
        ("a=b=c; HttpOnly; Max-Age=60", SetCookie("a", None, False, False, None, None)),
    ],
)
def test_set_cookie_is_parsed_as_rfc_6265bis_says(line: str, expected: SetCookie) -> None:
    assert parse_set_cookie(line) == expected


@pytest.mark.parametrize("line", ["", "=", " ; Secure"])
def test_a_line_without_name_and_value_is_ignored(line: str) -> None:
    assert parse_set_cookie(line) is None


PAGE = Origin("https", "app.example.com")
SAME_SITE_API = "https://api.example.com/me"
CROSS_SITE_API = "https://api.other.net/me"
PLAIN_HTTP_API = "http://api.example.com/me"


def rejected(reason: str) -> Judgement:
    return Judgement(Fate.REJECTED, reason)


SENT = Judgement(Fate.SENT)
BLOCKED = Judgement(Fate.THIRD_PARTY_BLOCKED)

# (cookie, response URL, page, credentials) -> Chromium, Firefox, WebKit
CASES: list[tuple[str, str, Origin, bool, tuple[Judgement, Judgement, Judgement]]] = [
    # same-site (cross-origin): SameSite and third-party policy do not apply, validity does
    ("s=1; SameSite=Lax", SAME_SITE_API, PAGE, True, (SENT, SENT, SENT)),
    ("s=1; SameSite=Strict", SAME_SITE_API, PAGE, True, (SENT, SENT, SENT)),
    ("s=1", SAME_SITE_API, PAGE, True, (SENT, SENT, SENT)),
    (
        "s=1; SameSite=None",
        SAME_SITE_API,
        PAGE,
        True,
        (rejected("samesite-none-insecure"), rejected("samesite-none-insecure"), SENT),
    ),
    (
        "s=1; Secure",
        PLAIN_HTTP_API,
        Origin("http", "app.example.com"),
        True,
        (rejected("secure-insecure-url"),) * 3,
    ),
    ("__Secure-s=1", SAME_SITE_API, PAGE, True, (rejected("prefix"),) * 3),
    ("__Secure-s=1; Secure", SAME_SITE_API, PAGE, True, (SENT, SENT, SENT)),
    ("__Host-s=1; Secure; Path=/", SAME_SITE_API, PAGE, True, (SENT, SENT, SENT)),
    ("__host-s=1; Secure; Path=/", SAME_SITE_API, PAGE, True, (SENT, SENT, SENT)),
    (
        "__Host-s=1; Secure; Path=/; Domain=example.com",
        SAME_SITE_API,
        PAGE,
        True,
        (rejected("prefix"),) * 3,
    ),
    ("__Host-s=1; Secure", SAME_SITE_API, PAGE, True, (rejected("prefix"),) * 3),
    # Firefox names SameSite=None without Secure before the prefix (measured)
    (
        "__Secure-s=1; SameSite=None",
        SAME_SITE_API,
        PAGE,
        True,
        (rejected("prefix"), rejected("samesite-none-insecure"), rejected("prefix")),
    ),
    ("s=1; Domain=example.com", SAME_SITE_API, PAGE, True, (SENT, SENT, SENT)),
    ("s=1; Domain=api.example.com", SAME_SITE_API, PAGE, True, (SENT, SENT, SENT)),
    ("s=1; Domain=other.net", SAME_SITE_API, PAGE, True, (rejected("invalid-domain"),) * 3),
    ("s=1; Domain=com", SAME_SITE_API, PAGE, True, (rejected("invalid-domain"),) * 3),
    ("s=1; Domain=xample.com", SAME_SITE_API, PAGE, True, (rejected("invalid-domain"),) * 3),
    (
        "s=1; Domain=0.0.1",
        "https://127.0.0.1/me",
        PAGE,
        True,
        (rejected("invalid-domain"),) * 3,
    ),
    (
        "s=1; Partitioned",
        SAME_SITE_API,
        PAGE,
        True,
        (rejected("partitioned-insecure"), rejected("partitioned-insecure"), SENT),
    ),
    # cross-site: the third-party policy first, then SameSite, then partitions
    (
        "s=1; SameSite=None; Secure",
        CROSS_SITE_API,
        PAGE,
        True,
        (SENT, Judgement(Fate.PARTITIONED, "foreign"), BLOCKED),
    ),
    (
        "s=1; SameSite=None; Secure; Partitioned",
        CROSS_SITE_API,
        PAGE,
        True,
        (Judgement(Fate.PARTITIONED, "attribute"),) * 2 + (BLOCKED,),
    ),
    (
        "s=1; SameSite=Lax",
        CROSS_SITE_API,
        PAGE,
        True,
        (Judgement(Fate.NOT_SENT_CROSS_SITE, "lax"),) * 2 + (BLOCKED,),
    ),
    (
        "s=1; SameSite=Strict; Secure; Partitioned",
        CROSS_SITE_API,
        PAGE,
        True,
        (Judgement(Fate.NOT_SENT_CROSS_SITE, "strict"),) * 2 + (BLOCKED,),
    ),
    (
        "s=1",
        CROSS_SITE_API,
        PAGE,
        True,
        (
            Judgement(Fate.NOT_SENT_CROSS_SITE, "default"),
            Judgement(Fate.PARTITIONED, "foreign"),
            BLOCKED,
        ),
    ),
    # schemeful same-site: http page, https API of the same registrable domain is cross-site
    (
        "s=1; SameSite=Lax",
        SAME_SITE_API,
        Origin("http", "app.example.com"),
        True,
        (Judgement(Fate.NOT_SENT_CROSS_SITE, "lax"),) * 2 + (BLOCKED,),
    ),
    # an opaque page is cross-site to everything
    (
        "s=1; SameSite=None; Secure",
        SAME_SITE_API,
        Origin.null(),
        True,
        (SENT, Judgement(Fate.PARTITIONED, "foreign"), BLOCKED),
    ),
    # without credentials a cross-origin response's cookies are ignored, invalid or not
    ("s=1; SameSite=None", CROSS_SITE_API, PAGE, False, (Judgement(Fate.IGNORED),) * 3),
    ("s=1", SAME_SITE_API, PAGE, False, (Judgement(Fate.IGNORED),) * 3),
    # same-origin: cookies are stored whatever the credentials mode
    ("s=1", "https://app.example.com/me", PAGE, False, (SENT, SENT, SENT)),
]


@pytest.mark.parametrize(("line", "where", "page", "credentials", "expected"), CASES)
def test_each_engine_decides_the_cookie_s_fate(
    line: str,
    where: str,
    page: Origin,
    credentials: bool,
    expected: tuple[Judgement, Judgement, Judgement],
) -> None:
    context = Context(url(where), page, credentials)
    assert tuple(judge(cookie(line), context, b) for b in (CHROMIUM, FIREFOX, WEBKIT)) == expected


def test_the_table_covers_every_fate_and_every_rejection() -> None:
    seen = {j for *_, judged in CASES for j in judged}
    assert {j.fate for j in seen} == set(Fate)
    reasons = {j.reason for j in seen if j.fate is Fate.REJECTED}
    assert reasons == {check for b in BROWSERS for check in b.cookie_checks}


WHERE = Where(Stage.ACTUAL, CROSS_SITE_API, "", PAGE.serialise())


def response(*lines: str, status: int = 200) -> WireResponse:
    return WireResponse(status, Headers(tuple(("Set-Cookie", line) for line in lines)))


def test_findings_name_the_cookie_and_the_engines_but_never_the_value() -> None:
    found = cookie_findings(
        WHERE,
        response("sid=TOPSECRET; SameSite=Lax", "ok=1; SameSite=None; Secure", "tok=SECRET2"),
        Context(url(CROSS_SITE_API), PAGE, True),
        CHROMIUM,
    )
    assert [(f.code, f.severity, dict(f.detail)) for f in found] == [
        (
            C.COOKIE_NOT_SENT_CROSS_SITE,
            Severity.WARNING,
            {"name": "sid", "reason": "lax", "engines": "chrome, firefox"},
        ),
        (
            C.COOKIE_NOT_SENT_CROSS_SITE,
            Severity.WARNING,
            {"name": "tok", "reason": "default", "engines": "chrome"},
        ),
    ]
    assert all(f.header == "Set-Cookie" and f.value is None for f in found)
    assert "SECRET" not in repr(found)


@pytest.mark.parametrize(
    ("browser", "codes"),
    [
        (FIREFOX, [C.COOKIE_PARTITIONED, C.COOKIE_REJECTED]),
        (WEBKIT, [C.THIRD_PARTY_COOKIES_BLOCKED, C.THIRD_PARTY_COOKIES_BLOCKED]),
    ],
)
def test_each_engine_reports_its_own_fates(browser: Browser, codes: list[C]) -> None:
    found = cookie_findings(
        WHERE,
        response("a=1; SameSite=None; Secure", "b=1; SameSite=None"),
        Context(url(CROSS_SITE_API), PAGE, True),
        browser,
    )
    assert [f.code for f in found] == codes


def shape(credentials: bool = True) -> RequestShape:
    return RequestShape(url=CROSS_SITE_API, origin=PAGE, credentials=credentials)


CRED = (
    ("Access-Control-Allow-Origin", PAGE.serialise()),
    ("Access-Control-Allow-Credentials", "true"),
)


def test_the_conversation_reads_cookies_on_redirects_and_blocked_responses() -> None:
    """The network layer stores cookies before the CORS check: a redirect's cookies count, and a
    response that fails CORS still sets them; a preflight's are never read (no credentials)."""
    replies = {
        CROSS_SITE_API: WireResponse(
            302,
            Headers((*CRED, ("Location", "/next"), ("Set-Cookie", "hop=1; SameSite=Lax"))),
        ),
        "https://api.other.net/next": WireResponse(
            200, Headers((("Set-Cookie", "final=1; SameSite=Strict"),))
        ),
    }

    def answer(step: Send) -> WireResponse:
        return replies[step.request.url]

    outcome = drive(converse(shape(), CHROMIUM), answer)
    assert outcome.decisive is not None
    assert outcome.decisive.code is C.ACAO_MISSING
    cookies = [
        (f.url, f.detail["name"])
        for f in outcome.findings
        if f.code is C.COOKIE_NOT_SENT_CROSS_SITE
    ]
    assert cookies == [(CROSS_SITE_API, "hop"), ("https://api.other.net/next", "final")]


def test_a_fetch_without_credentials_says_its_cookies_are_ignored() -> None:
    reply = WireResponse(
        200, Headers((("Access-Control-Allow-Origin", "*"), ("Set-Cookie", "s=1")))
    )
    outcome = drive(converse(shape(credentials=False), CHROMIUM), lambda _: reply)
    codes = [f.code for f in outcome.findings]
    assert C.COOKIE_IGNORED_WITHOUT_CREDENTIALS in codes
    assert outcome.verdict.value == "allowed"


@pytest.mark.parametrize(("browser", "taken"), [(CHROMIUM, "lax"), (FIREFOX, "none")])
def test_an_unknown_samesite_value_is_told_before_the_cookie_s_fate(
    browser: Browser, taken: str
) -> None:
    found = cookie_findings(
        WHERE,
        response("s=1; SameSite=Sometimes; Secure"),
        Context(url(CROSS_SITE_API), PAGE, True),
        browser,
    )
    assert found[0].code is C.COOKIE_SAMESITE_INVALID
    assert found[0].detail["reason"] == taken
    assert found[0].detail["engines"] == "chrome, firefox, safari"
    assert [f.code for f in found[1:]] == [
        C.COOKIE_NOT_SENT_CROSS_SITE if browser is CHROMIUM else C.COOKIE_PARTITIONED
    ]


@pytest.mark.parametrize(
    ("target", "told"),
    [(CROSS_SITE_API, True), (SAME_SITE_API, False), ("https://app.example.com/me", False)],
)
def test_third_party_cookies_is_told_for_another_site_only(target: str, told: bool) -> None:
    """api.example.com from app.example.com is cross-origin but same-site: first-party cookies."""
    request = RequestShape(url=target, origin=PAGE, credentials=True)
    reply = WireResponse(200, Headers(CRED))
    outcome = drive(converse(request, CHROMIUM), lambda _: reply)
    assert (C.THIRD_PARTY_COOKIES in [f.code for f in outcome.findings]) is told
