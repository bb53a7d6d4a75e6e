"""fetch()'s mode and redirect options and the Cross-Origin-Resource-Policy check: the rules in
policy/modes.py as tables, then the whole conversation driven with hand-built answers.

Sources: https://fetch.spec.whatwg.org/#concept-request-mode, #dom-request, #main-fetch,
#http-fetch, #cross-origin-resource-policy-internal-check; the browser referee's `modes`
scenarios measure the same cases in Chromium, Firefox and WebKit.
"""

from __future__ import annotations

import pytest

from cors_probe.codes import FindingCode as C
from cors_probe.model import (
    ExchangeKind,
    Finding,
    Headers,
    Origin,
    Outcome,
    RedirectMode,
    RequestMode,
    RequestShape,
    ResponseType,
    Verdict,
    WireResponse,
)
from cors_probe.policy import modes
from cors_probe.policy.browsers import CHROMIUM, FIREFOX, WEBKIT, Browser
from cors_probe.policy.conversation import Reply, Send, converse, drive
from cors_probe.policy.origin import parse_origin
from cors_probe.policy.url import Url, parse_url

PAGE = Origin("https", "app.example")
URL = "https://api.example/v1/tags"
ACAO = ("Access-Control-Allow-Origin", "https://app.example")
NO_CORS, SAME_ORIGIN, CORS = RequestMode.NO_CORS, RequestMode.SAME_ORIGIN, RequestMode.CORS
LANG = "accept-language"
ACAM = "Access-Control-Allow-Methods"
APP, SUB, OTHER = "https://app.example", "https://api.app.example/x", "https://api.other/x"
FOLLOW, ERROR, MANUAL = RedirectMode.FOLLOW, RedirectMode.ERROR, RedirectMode.MANUAL


def _code(finding: Finding | None) -> C | None:
    return finding.code if finding is not None else None


def _url(text: str) -> Url:
    parsed = parse_url(text)
    assert isinstance(parsed, Url)
    return parsed


def _origin(text: str) -> Origin:
    parsed = parse_origin(text)
    assert isinstance(parsed, Origin)
    return parsed


@pytest.mark.parametrize(
    ("mode", "method", "refused"),
    [
        (NO_CORS, "GET", False),
        (NO_CORS, "HEAD", False),
        (NO_CORS, "POST", False),
        (NO_CORS, "PUT", True),
        (NO_CORS, "DELETE", True),
        (NO_CORS, "patch", True),
        (NO_CORS, "OPTIONS", True),
        (CORS, "PUT", False),
        (SAME_ORIGIN, "PUT", False),
    ],
)
def test_no_cors_allows_only_the_safelisted_methods(
    mode: RequestMode, method: str, refused: bool
) -> None:
    refusal = modes.method_refusal(mode, method)
    assert (refusal is not None) is refused
    if refusal is not None:
        assert refusal.code is C.NO_CORS_METHOD
        assert refusal.detail == {"method": method}


@pytest.mark.parametrize(
    ("mode", "redirect", "target", "code"),
    [
        (NO_CORS, FOLLOW, "https://api.example", None),
        (NO_CORS, ERROR, "https://api.example", C.NO_CORS_REDIRECT_MODE),
        (NO_CORS, MANUAL, "https://app.example", C.NO_CORS_REDIRECT_MODE),
        (SAME_ORIGIN, FOLLOW, "https://api.example", C.SAME_ORIGIN_MODE),
        (SAME_ORIGIN, FOLLOW, "https://app.example:8443", C.SAME_ORIGIN_MODE),
        (SAME_ORIGIN, FOLLOW, "http://app.example", C.SAME_ORIGIN_MODE),
        (SAME_ORIGIN, MANUAL, "https://app.example", None),
        (CORS, ERROR, "https://api.example", None),
        (CORS, MANUAL, "https://api.example", None),
    ],
)
def test_main_fetch_refuses_before_sending(
    mode: RequestMode, redirect: RedirectMode, target: str, code: C | None
) -> None:
    refusal = modes.main_fetch_refusal(mode, redirect, PAGE, _origin(target))
    assert (refusal.code if refusal else None) is code


@pytest.mark.parametrize(
    ("headers", "kept", "dropped"),
    [
        ((("Accept", "application/json"),), ["accept"], []),
        ((("Accept-Language", "de"), ("Content-Language", "en")), [LANG, "content-language"], []),
        ((("Content-Type", "text/plain"),), ["content-type"], []),
        ((("Content-Type", "application/json"),), [], ["content-type"]),
        ((("X-Custom", "1"),), [], ["x-custom"]),
        ((("Authorization", "Bearer t"),), [], ["authorization"]),
        ((("Range", "bytes=0-1"),), [], ["range"]),
        ((("Accept-Language", "de(x)"),), [], ["accept-language"]),
        ((("Cookie", "a=1"),), ["cookie"], []),  # forbidden: left to the "request" guard
        ((("Accept", "a/b"), ("Accept", "x" * 130)), ["accept"], ["accept"]),
    ],
)  # fmt: skip
def test_the_no_cors_header_guard_drops_what_is_not_no_cors_safelisted(
    headers: tuple[tuple[str, str], ...], kept: list[str], dropped: list[str]
) -> None:
    got, lost = modes.no_cors_guard(Headers(headers))
    assert [n.lower() for n, _ in got] == kept
    assert [n.lower() for n, _ in lost] == dropped


def test_chromium_leaves_its_own_user_agent_drop_to_the_browser_guard() -> None:
    agent = Headers.of(("User-Agent", "bot"))
    assert modes.no_cors_guard(agent, CHROMIUM)[1] == ()
    assert modes.no_cors_guard(agent, FIREFOX)[1] == (("User-Agent", "bot"),)


@pytest.mark.parametrize(
    ("policy", "origin", "url", "blocked"),
    [
        (None, APP, OTHER, None),
        ("cross-origin", APP, OTHER, None),
        ("same-origin", "https://app.example", "https://app.example/x", None),
        ("same-origin", APP, SUB, ("same-origin", "cross-origin")),
        ("same-origin", APP, OTHER, ("same-origin", "cross-site")),
        ("same-site", APP, SUB, None),
        ("same-site", "http://app.example", "http://api.app.example/x", None),
        ("same-site", "https://app.example", "http://api.app.example/x", None),
        ("same-site", "http://app.example", SUB, ("same-site", "cross-scheme")),
        ("same-site", APP, OTHER, ("same-site", "cross-site")),
        ("same-site", "http://127.0.0.1:3", "http://127.0.0.1:4000/x", None),
        ("same-site", "http://127.0.0.1:3", "http://localhost:4000/x", ("same-site", "cross-site")),
        ("same-site", None, "http://127.0.0.1:4000/x", ("same-site", "cross-site")),
        ("same-origin", None, "https://app.example/x", ("same-origin", "cross-site")),
        ("SAME-ORIGIN", APP, OTHER, None),
        ("same-origin, same-origin", APP, OTHER, None),
    ],
)  # fmt: skip
def test_cross_origin_resource_policy(
    policy: str | None, origin: str | None, url: str, blocked: tuple[str, str] | None
) -> None:
    headers = Headers.of((modes.CORP, policy)) if policy is not None else Headers()
    page = _origin(origin) if origin is not None else None
    block = modes.corp_check(headers, page, _url(url))
    assert ((block.policy, block.relation) if block else None) == blocked


# --- the conversation ----------------------------------------------------------------------


def _shape(
    mode: RequestMode = CORS,
    redirect: RedirectMode = FOLLOW,
    method: str = "GET",
    headers: tuple[tuple[str, str], ...] = (),
    url: str = URL,
    body: bytes | None = None,
) -> RequestShape:
    return RequestShape(
        url, PAGE, method, Headers(headers), body=body, mode=mode, redirect=redirect
    )


def _run(
    shape: RequestShape, *replies: WireResponse, browser: Browser = CHROMIUM
) -> tuple[Outcome, list[Send]]:
    """The conversation answered by `replies` in turn: (its outcome, every request it sent)."""
    sent: list[Send] = []
    queue = list(replies)

    def answer(step: Send) -> Reply:
        sent.append(step)
        return queue.pop(0)

    return drive(converse(shape, browser), answer), sent


def test_no_cors_resolves_opaque_without_preflight_or_cors_check() -> None:
    outcome, sent = _run(
        _shape(NO_CORS, headers=(("X-Api-Key", "k"),)),
        WireResponse(404, Headers.of(("Content-Type", "application/json"))),
    )
    assert outcome.verdict is Verdict.ALLOWED
    assert [s.kind for s in sent] == [ExchangeKind.ACTUAL]
    request = sent[0].request
    assert "Origin" not in request.headers
    assert "X-Api-Key" not in request.headers
    assert request.headers.get("Sec-Fetch-Mode") == "no-cors"
    assert (outcome.final_status, outcome.readable_headers) == (0, ())
    assert outcome.response_type is ResponseType.OPAQUE
    codes = [f.code for f in outcome.findings]
    assert C.NO_CORS_HEADER_DROPPED in codes
    opaque = next(f for f in outcome.findings if f.code is C.OPAQUE_RESPONSE)
    assert opaque.detail["real_status"] == 404


def test_a_no_cors_post_carries_origin() -> None:
    outcome, sent = _run(_shape(NO_CORS, method="POST", body=b"hi"), WireResponse(200, Headers()))
    assert sent[0].request.headers.get("Origin") == "https://app.example"
    assert sent[0].request.headers.get("Content-Type") == "text/plain;charset=UTF-8"
    assert outcome.response_type is ResponseType.OPAQUE


def test_a_no_cors_json_content_type_is_dropped_and_the_body_default_takes_its_place() -> None:
    outcome, sent = _run(
        _shape(NO_CORS, FOLLOW, "POST", (("Content-Type", "application/json"),), body=b"{}"),
        WireResponse(200, Headers()),
    )
    assert sent[0].request.headers.get("Content-Type") == "text/plain;charset=UTF-8"
    dropped = next(f for f in outcome.findings if f.code is C.NO_CORS_HEADER_DROPPED)
    assert (dropped.header, dropped.value) == ("Content-Type", "application/json")


@pytest.mark.parametrize("browser", [CHROMIUM, FIREFOX, WEBKIT])
def test_corp_blocks_a_no_cors_response_whatever_its_status(browser: Browser) -> None:
    outcome, _ = _run(
        _shape(NO_CORS),
        WireResponse(404, Headers.of((modes.CORP, "same-site"))),
        browser=browser,
    )
    assert outcome.verdict is Verdict.BLOCKED
    assert _code(outcome.decisive) is C.CORP_BLOCKED
    assert outcome.decisive is not None
    assert dict(outcome.decisive.detail) == {
        "policy": "same-site",
        "relation": "cross-site",
        "request_origin": "https://app.example",
    }
    assert outcome.response_type is None


def test_corp_does_not_apply_in_cors_mode() -> None:
    outcome, _ = _run(_shape(), WireResponse(200, Headers.of(ACAO, (modes.CORP, "same-origin"))))
    assert outcome.verdict is Verdict.ALLOWED
    assert outcome.response_type is ResponseType.CORS


def test_a_cross_origin_redirect_taints_the_origin_for_corp() -> None:
    """Measured in Chromium: a same-site target after a cross-origin hop is NotSameSite."""
    redirect = WireResponse(302, Headers.of(("Location", "https://static.app.example/x")))
    target = WireResponse(200, Headers.of((modes.CORP, "same-site")))
    outcome, sent = _run(_shape(NO_CORS), redirect, target)
    assert len(sent) == 2
    assert _code(outcome.decisive) is C.CORP_BLOCKED
    assert outcome.decisive is not None
    assert outcome.decisive.detail["request_origin"] == "null"


def test_no_cors_to_the_page_origin_is_a_basic_response() -> None:
    outcome, _ = _run(
        _shape(NO_CORS, url="https://app.example/x"), WireResponse(200, Headers.of(("X-A", "1")))
    )
    assert outcome.response_type is ResponseType.BASIC
    assert outcome.readable_headers == ("x-a",)


@pytest.mark.parametrize(
    ("shape", "code"),
    [
        (_shape(NO_CORS, method="PUT"), C.NO_CORS_METHOD),
        (_shape(NO_CORS, method="delete"), C.NO_CORS_METHOD),
        (_shape(NO_CORS, MANUAL), C.NO_CORS_REDIRECT_MODE),
        (_shape(NO_CORS, ERROR), C.NO_CORS_REDIRECT_MODE),
        (_shape(SAME_ORIGIN), C.SAME_ORIGIN_MODE),
    ],
)
def test_refused_before_anything_is_sent(shape: RequestShape, code: C) -> None:
    outcome, sent = _run(shape)
    assert sent == []
    assert outcome.verdict is Verdict.BLOCKED
    assert _code(outcome.decisive) is code


def test_same_origin_mode_refuses_a_redirect_to_another_origin() -> None:
    redirect = WireResponse(302, Headers.of(("Location", "https://api.example/x")))
    outcome, sent = _run(_shape(SAME_ORIGIN, url="https://app.example/a"), redirect)
    assert len(sent) == 1
    assert _code(outcome.decisive) is C.SAME_ORIGIN_MODE
    assert outcome.decisive is not None
    assert outcome.decisive.detail["url_origin"] == "https://api.example"


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_error_fails_on_any_redirect_status(status: int) -> None:
    redirect = WireResponse(status, Headers.of(ACAO, ("Location", "/next")))
    outcome, sent = _run(_shape(redirect=ERROR), redirect)
    assert len(sent) == 1
    assert _code(outcome.decisive) is C.REDIRECT_MODE_ERROR
    assert outcome.decisive is not None
    assert outcome.decisive.detail["location"] == "https://api.example/next"


def test_redirect_manual_resolves_opaque_redirect_after_the_cors_check() -> None:
    redirect = WireResponse(307, Headers.of(ACAO, ("Location", "/next")))
    outcome, sent = _run(
        _shape(redirect=MANUAL, method="PUT", headers=(("Content-Type", "application/json"),)),
        WireResponse(
            204,
            Headers.of(ACAO, (ACAM, "PUT"), ("Access-Control-Allow-Headers", "*")),
        ),
        redirect,
    )  # fmt: skip
    assert [s.kind for s in sent] == [ExchangeKind.PREFLIGHT, ExchangeKind.ACTUAL]
    assert outcome.verdict is Verdict.ALLOWED
    assert (outcome.final_status, outcome.response_type) == (0, ResponseType.OPAQUE_REDIRECT)
    codes = [f.code for f in outcome.findings]
    assert C.OPAQUE_REDIRECT in codes


def test_redirect_manual_still_needs_the_cors_check() -> None:
    redirect = WireResponse(302, Headers.of(("Location", "/next")))
    outcome, _ = _run(_shape(redirect=MANUAL), redirect)
    assert _code(outcome.decisive) is C.ACAO_MISSING
