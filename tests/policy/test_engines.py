"""Where the three engines part from the Fetch Standard and from each other, rule by rule.

Each row is one departure measured by the browser referee (the scenario named in
`policy/browsers.py`): the same request and answers, judged by each profile.
"""

from __future__ import annotations

import pytest

from cors_probe.codes import FindingCode as C
from cors_probe.model import ExchangeKind, Headers, Verdict, WireResponse
from cors_probe.policy.browsers import BROWSERS, FIREFOX, WEBKIT, named
from cors_probe.policy.conversation import Reply, Send
from tests.policy.test_conversation import ACAO, URL, Answer, answers, drive, ok, shape

NO_OPTIONS = answers(ok(status=405), ok(("Access-Control-Allow-Origin", "*")))


@pytest.mark.parametrize(
    ("header", "preflighted_in"),
    [
        (("DPR", "2"), {"firefox", "safari"}),
        (("Save-Data", "on"), {"firefox", "safari"}),
        (("User-Agent", "robot"), {"firefox", "safari"}),
        (("Range", "BYTES=0-99"), {"chrome", "firefox"}),
        (("Range", "bytes=0-99"), set()),
        (("X-Api-Key", "abc"), {"chrome", "firefox", "safari"}),
    ],
)
def test_which_engines_preflight_a_header(
    header: tuple[str, str], preflighted_in: set[str]
) -> None:
    for browser in BROWSERS:
        run = drive(shape("GET", (header,)), NO_OPTIONS, browser)
        preflighted = run.sent[0].kind is ExchangeKind.PREFLIGHT
        assert preflighted is (browser.name in preflighted_in), browser.name
        assert run.outcome.verdict is (Verdict.BLOCKED if preflighted else Verdict.ALLOWED)


def test_webkit_judges_a_preflights_status_before_its_acao() -> None:
    request = shape("PUT", (("Content-Type", "application/json"),), body=b"{}")
    codes = {
        b.name: drive(request, answers(ok(status=500), ok(ACAO)), b).outcome.decisive
        for b in BROWSERS
    }
    assert {k: v.code if v else None for k, v in codes.items()} == {
        "chrome": C.ACAO_MISSING,
        "firefox": C.ACAO_MISSING,
        "safari": C.PREFLIGHT_NOT_OK,
    }


def _redirect_then(
    final: Headers, location: str = "https://other.example/v1/tags", status: int = 307
) -> Answer:
    def answer(step: Send) -> Reply:
        if step.hop == 0:
            if step.kind is ExchangeKind.PREFLIGHT:
                return ok(
                    ACAO,
                    ("Access-Control-Allow-Methods", "PUT, POST"),
                    ("Access-Control-Allow-Headers", "content-type"),
                )
            return WireResponse(status, Headers((ACAO, ("Location", location))))
        return WireResponse(204 if step.kind is ExchangeKind.PREFLIGHT else 200, final)

    return answer


def test_firefox_puts_the_pages_origin_on_a_preflight_after_a_tainting_redirect() -> None:
    allow_null = Headers.of(
        ("Access-Control-Allow-Origin", "null"),
        ("Access-Control-Allow-Methods", "PUT"),
        ("Access-Control-Allow-Headers", "content-type"),
    )
    request = shape("PUT", (("Content-Type", "application/json"),), body=b"{}")
    for browser in BROWSERS:
        run = drive(request, _redirect_then(allow_null), browser)
        second = [s for s in run.sent if s.hop == 1 and s.kind is ExchangeKind.PREFLIGHT]
        origin = second[0].request.headers.get("Origin")
        assert origin == ("https://app.example" if browser is FIREFOX else "null")
        expected = Verdict.BLOCKED if browser is FIREFOX else Verdict.ALLOWED
        assert run.outcome.verdict is expected, browser.name


def test_after_a_303_firefox_preflights_again_and_webkit_keeps_the_content_type() -> None:
    request = shape("POST", (("Content-Type", "application/json"),), body=b"{}")
    target = Headers.of(
        ("Access-Control-Allow-Origin", "https://app.example"),
        ("Access-Control-Allow-Headers", "content-type"),
    )
    plans = {}
    for browser in BROWSERS:
        run = drive(request, _redirect_then(target, URL + "/next", 303), browser)
        hop = [s for s in run.sent if s.hop == 1]
        plans[browser.name] = [(s.kind.value, s.request.method) for s in hop]
        if browser is FIREFOX:
            assert hop[0].request.headers.get("Access-Control-Request-Headers") is None
        if browser is WEBKIT:
            assert hop[0].request.headers.get("Access-Control-Request-Headers") == "content-type"
            assert hop[1].request.headers.get("Content-Type") == "application/json"
    assert plans == {
        "chrome": [("actual", "GET")],
        "firefox": [("preflight", "OPTIONS"), ("actual", "GET")],
        "safari": [("preflight", "OPTIONS"), ("actual", "GET")],
    }


def test_firefox_names_the_redirect_as_the_preflights_trigger() -> None:
    request = shape("POST", (("Content-Type", "application/json"),), body=b"{}")
    target = Headers.of(("Access-Control-Allow-Origin", "https://app.example"))
    run = drive(request, _redirect_then(target, URL + "/next", 303), FIREFOX)
    assert run.outcome.verdict is Verdict.ALLOWED
    preflight = next(s for s in run.sent if s.hop == 1).request
    assert preflight.headers.get("Access-Control-Request-Method") == "GET"
    refused = drive(request, _redirect_then(Headers(), URL + "/next", 303), FIREFOX)
    assert refused.outcome.decisive is not None
    assert refused.outcome.decisive.stage.value == "preflight"


def test_firefox_checks_a_redirected_preflights_acao_first() -> None:
    request = shape("PUT", (("Content-Type", "application/json"),), body=b"{}")
    redirect = WireResponse(302, Headers.of(("Location", URL + "/elsewhere")))
    codes = {
        b.name: drive(request, answers(redirect, ok(ACAO)), b).outcome.decisive for b in BROWSERS
    }
    assert codes["firefox"] is not None
    assert codes["firefox"].code is C.ACAO_MISSING
    assert codes["chrome"] is not None
    assert codes["chrome"].code is C.PREFLIGHT_REDIRECT
    assert codes["safari"] is not None
    assert codes["safari"].code is C.PREFLIGHT_REDIRECT


def test_webkit_names_the_first_missing_header_as_the_script_set_it() -> None:
    request = shape("GET", (("X-B", "1"), ("X-A", "2")))
    pf = ok(ACAO, ("Access-Control-Allow-Headers", "x-c"))
    names = {}
    for browser in BROWSERS:
        decisive = drive(request, answers(pf, ok(ACAO)), browser).outcome.decisive
        assert decisive is not None
        assert decisive.code is C.HEADER_NOT_ALLOWED
        names[browser.name] = (decisive.detail["name"], decisive.detail["written"])
    assert names == {"chrome": ("x-a", "X-A"), "firefox": ("x-a", "X-A"), "safari": ("x-b", "X-B")}


@pytest.mark.parametrize("name", ["chromium", "chrome", "firefox", "safari", "SAFARI"])
def test_profiles_are_found_by_option_or_report_key(name: str) -> None:
    assert named(name) in BROWSERS


def test_an_unknown_engine_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        named("opera")
