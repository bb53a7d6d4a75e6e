"""The whole fetch() as a generator, driven with hand-built answers: no network, no clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace

import pytest

from cors_probe.codes import FindingCode as C
from cors_probe.model import (
    ExchangeKind,
    FailureKind,
    Headers,
    Origin,
    Outcome,
    PreflightPlan,
    RequestShape,
    TransportFailure,
    Verdict,
    WireRequest,
    WireResponse,
)
from cors_probe.policy import preflight
from cors_probe.policy.browsers import CHROMIUM, Browser
from cors_probe.policy.conversation import DRY_RUN, Reply, Send, converse, prepare
from cors_probe.policy.safelist import preflight_triggers
from cors_probe.usecases.check import dry_run

PAGE = Origin("https", "app.example")
URL = "https://api.example/v1/tags"
ACAO = ("Access-Control-Allow-Origin", "https://app.example")
Answer = Callable[[Send], Reply]


@dataclass
class Run:
    outcome: Outcome
    sent: list[Send]


def drive(shape: RequestShape, answer: Answer, browser: Browser = CHROMIUM) -> Run:
    sent: list[Send] = []
    flow = converse(shape, browser)
    try:
        step = next(flow)
        while True:
            sent.append(step)
            step = flow.send(answer(step))
    except StopIteration as stop:
        return Run(stop.value, sent)


def shape(
    method: str = "GET",
    headers: tuple[tuple[str, str], ...] = (),
    *,
    url: str = URL,
    credentials: bool = False,
    body: bytes | None = None,
    cookie: str | None = None,
    origin: Origin = PAGE,
) -> RequestShape:
    return RequestShape(url, origin, method, Headers(headers), credentials, body, cookie)


def answers(preflight: WireResponse | None, actual: WireResponse | None) -> Answer:
    def answer(step: Send) -> Reply:
        return preflight if step.kind is ExchangeKind.PREFLIGHT else actual

    return answer


def ok(*headers: tuple[str, str], status: int = 200) -> WireResponse:
    return WireResponse(status, Headers(headers))


def test_a_simple_request_goes_straight_out_with_origin() -> None:
    run = drive(shape(), answers(None, ok(ACAO)))
    assert [s.kind for s in run.sent] == [ExchangeKind.ACTUAL]
    request = run.sent[0].request
    assert request.headers.get("Origin") == "https://app.example"
    assert request.headers.get("Accept") == "*/*"
    assert not run.sent[0].needs_consent
    assert run.outcome.verdict is Verdict.ALLOWED


def test_a_preflighted_request_sends_the_preflight_then_asks_for_consent() -> None:
    pf = ok(ACAO, ("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Allow-Headers", "*"))
    run = drive(
        shape("put", (("Content-Type", "application/json"),), body=b"{}"), answers(pf, ok(ACAO))
    )
    assert [s.kind for s in run.sent] == [ExchangeKind.PREFLIGHT, ExchangeKind.ACTUAL]
    preflight, actual = run.sent
    assert preflight.request.method == "OPTIONS"
    assert preflight.request.headers.get("Access-Control-Request-Method") == "PUT"
    assert preflight.request.headers.get("Access-Control-Request-Headers") == "content-type"
    assert not preflight.needs_consent
    assert actual.request.method == "PUT"
    assert actual.request.body == b"{}"
    assert actual.needs_consent
    assert run.outcome.verdict is Verdict.ALLOWED


def test_a_failed_preflight_stops_the_conversation() -> None:
    run = drive(shape("DELETE"), answers(ok(ACAO, status=204), ok(ACAO)))
    assert [s.kind for s in run.sent] == [ExchangeKind.PREFLIGHT]
    assert run.outcome.verdict is Verdict.BLOCKED
    assert run.outcome.decisive is not None
    assert run.outcome.decisive.code is C.METHOD_NOT_ALLOWED


def test_no_consent_means_incomplete_with_the_preflight_judged() -> None:
    pf = ok(ACAO, ("Access-Control-Allow-Methods", "DELETE"), status=204)
    run = drive(shape("DELETE"), answers(pf, None))
    assert run.outcome.verdict is Verdict.INCOMPLETE
    assert [e.withheld for e in run.outcome.exchanges] == [False, True]


def test_a_transport_failure_is_unreachable() -> None:
    def fail(_: Send) -> Reply:
        return TransportFailure(FailureKind.REFUSED, "connection refused")

    run = drive(shape(), fail)
    assert run.outcome.verdict is Verdict.UNREACHABLE
    assert run.outcome.decisive is not None
    assert run.outcome.decisive.code is C.UNREACHABLE


REFUSALS: list[tuple[str, RequestShape, C]] = [
    ("connect", shape("CONNECT"), C.FORBIDDEN_METHOD),
    ("trace", shape("trace"), C.FORBIDDEN_METHOD),
    ("get-with-body", shape("GET", body=b"x"), C.BODY_NOT_ALLOWED),
    ("head-with-body", shape("HEAD", body=b"x"), C.BODY_NOT_ALLOWED),
    ("credentials-in-url", shape(url="https://u:p@api.example/x"), C.URL_CREDENTIALS),
]


@pytest.mark.parametrize(
    ("request_shape", "code"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS]
)
def test_fetch_refuses_before_sending_anything(request_shape: RequestShape, code: C) -> None:
    run = drive(request_shape, answers(ok(ACAO), ok(ACAO)))
    assert run.sent == []
    assert run.outcome.verdict is Verdict.BLOCKED
    assert run.outcome.decisive is not None
    assert run.outcome.decisive.code is code


def test_forbidden_headers_are_dropped_and_reported() -> None:
    run = drive(
        shape("GET", (("Cookie", "a=b"), ("X-A", "1"))),
        answers(ok(ACAO, ("Access-Control-Allow-Headers", "x-a")), ok(ACAO)),
    )
    codes = [f.code for f in run.outcome.findings]
    assert C.FORBIDDEN_HEADER in codes
    assert all("Cookie" not in s.request.headers for s in run.sent)


def test_the_cookie_jar_goes_on_the_credentialed_actual_request_only() -> None:
    pf = ok(
        ACAO,
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Allow-Headers", "x-a"),
        status=204,
    )
    actual = ok(ACAO, ("Access-Control-Allow-Credentials", "true"))
    run = drive(shape("GET", (("X-A", "1"),), credentials=True, cookie="s=1"), answers(pf, actual))
    preflight, sent = run.sent
    assert "Cookie" not in preflight.request.headers
    assert sent.request.headers.get("Cookie") == "s=1"
    assert run.outcome.verdict is Verdict.ALLOWED


@pytest.mark.parametrize(
    ("location", "carried"),
    [
        ("https://api.example/v2/tags", True),  # same host
        ("https://api.example:8443/v2/tags", True),  # same host, another port: host-only cookie
        ("https://auth.api.example/v2/tags", False),  # a subdomain is another host
        ("https://other.example/v2/tags", False),
    ],
)
def test_the_jars_cookie_follows_a_redirect_only_on_its_host(location: str, carried: bool) -> None:
    """--cookie is what the jar holds for the first URL's host; a redirect to another host must
    not carry it (the newcomer saw 127.0.0.1's captured cookie sent to localhost)."""
    allow = (ACAO, ("Access-Control-Allow-Credentials", "true"))

    def answer(step: Send) -> Reply:
        if step.request.url == URL:
            return ok(*allow, ("Location", location), status=307)
        return ok(*allow)

    run = drive(shape("GET", credentials=True, cookie="sid=s3cr3t"), answer)
    first, second = (s.request for s in run.sent)
    assert first.headers.get("Cookie") == "sid=s3cr3t"
    assert second.url == location
    assert (second.headers.get("Cookie") == "sid=s3cr3t") is carried
    assert carried or "Cookie" not in second.headers


def test_same_origin_needs_no_cors() -> None:
    run = drive(shape(origin=Origin("https", "api.example")), answers(None, ok()))
    assert run.outcome.verdict is Verdict.ALLOWED
    assert C.SAME_ORIGIN in [f.code for f in run.outcome.findings]


def redirecting(
    location: str,
    status: int = 302,
    first: tuple[tuple[str, str], ...] = (ACAO,),
    final: WireResponse | None = None,
) -> Answer:
    def answer(step: Send) -> Reply:
        if step.hop == 0:
            return WireResponse(status, Headers((*first, ("Location", location))))
        return final or ok(("Access-Control-Allow-Origin", "*"))

    return answer


def test_a_same_origin_redirect_keeps_the_origin() -> None:
    run = drive(shape(), redirecting("/v2/tags", final=ok(ACAO)))
    assert [s.request.url for s in run.sent] == [URL, "https://api.example/v2/tags"]
    assert run.sent[1].request.headers.get("Origin") == "https://app.example"
    assert run.outcome.verdict is Verdict.ALLOWED


def test_a_cross_origin_redirect_taints_the_origin_to_null() -> None:
    run = drive(shape(), redirecting("https://other.example/x", final=ok(ACAO)))
    assert run.sent[1].request.headers.get("Origin") == "null"
    assert run.outcome.verdict is Verdict.BLOCKED
    assert run.outcome.decisive is not None
    assert run.outcome.decisive.code is C.ACAO_MISMATCH
    assert C.REDIRECT_TAINTED_ORIGIN in [f.code for f in run.outcome.findings]


def test_every_hop_is_cors_checked() -> None:
    run = drive(shape(), redirecting("/v2", first=()))
    assert len(run.sent) == 1
    assert run.outcome.decisive is not None
    assert run.outcome.decisive.code is C.ACAO_MISSING


def test_a_redirect_loop_stops_after_twenty_redirects() -> None:
    def loop(step: Send) -> Reply:
        return WireResponse(302, Headers((ACAO, ("Location", URL))))

    run = drive(shape(), loop)
    assert len(run.sent) == 21
    assert run.outcome.decisive is not None
    assert run.outcome.decisive.code is C.TOO_MANY_REDIRECTS


def test_post_302_becomes_a_get_without_body() -> None:
    run = drive(shape("POST", body=b"x"), redirecting("/next", final=ok(ACAO)))
    follow_up = run.sent[1].request
    assert (follow_up.method, follow_up.body) == ("GET", None)
    assert "Content-Type" not in follow_up.headers


def test_a_preflight_is_sent_again_after_a_redirect_when_still_needed() -> None:
    pf = ok(ACAO, ("Access-Control-Allow-Methods", "PUT"), status=204)

    def answer(step: Send) -> Reply:
        if step.kind is ExchangeKind.PREFLIGHT:
            return pf
        if step.hop == 0:
            return WireResponse(307, Headers((ACAO, ("Location", "/v2"))))
        return ok(ACAO)

    run = drive(shape("PUT"), answer)
    assert [(s.kind, s.hop) for s in run.sent] == [
        (ExchangeKind.PREFLIGHT, 0),
        (ExchangeKind.ACTUAL, 0),
        (ExchangeKind.PREFLIGHT, 1),
        (ExchangeKind.ACTUAL, 1),
    ]
    assert run.outcome.verdict is Verdict.ALLOWED


def test_the_readable_headers_and_final_status_are_reported() -> None:
    actual = ok(ACAO, ("Content-Type", "application/json"), ("X-Secret", "1"), status=201)
    run = drive(shape(), answers(None, actual))
    assert run.outcome.final_status == 201
    assert "content-type" in run.outcome.readable_headers
    assert "x-secret" not in run.outcome.readable_headers


# (name, shape, exchanges as (kind, method, Origin header), finding codes, verdict): what the dry
# run reported before it drove the conversation (preflight withheld if planned, actual withheld,
# the notes of fetch()'s header guard, their verdict).
DRY_RUNS: list[
    tuple[str, RequestShape, list[tuple[ExchangeKind, str, str | None]], list[C], Verdict]
] = [
    ("simple-get", shape(), [(ExchangeKind.ACTUAL, "GET", PAGE.serialise())], [], Verdict.ALLOWED),
    (
        "put-json",
        shape("put", (("Content-Type", "application/json"),), body=b"{}"),
        [
            (ExchangeKind.PREFLIGHT, "OPTIONS", PAGE.serialise()),
            (ExchangeKind.ACTUAL, "PUT", PAGE.serialise()),
        ],
        [],
        Verdict.ALLOWED,
    ),
    (
        "forbidden-and-custom-headers",
        shape("GET", (("Cookie", "a=b"), ("X-A", "1"), ("User-Agent", "robot")), credentials=True),
        [
            (ExchangeKind.PREFLIGHT, "OPTIONS", PAGE.serialise()),
            (ExchangeKind.ACTUAL, "GET", PAGE.serialise()),
        ],
        [C.FORBIDDEN_HEADER, C.USER_AGENT_DROPPED, C.THIRD_PARTY_COOKIES],
        Verdict.ALLOWED,
    ),
    (
        "same-origin-delete",
        shape("DELETE", origin=Origin("https", "api.example")),
        [(ExchangeKind.ACTUAL, "DELETE", "https://api.example")],
        [C.SAME_ORIGIN],
        Verdict.ALLOWED,
    ),
    (
        "client-hint",
        shape("GET", (("DPR", "2"),)),
        [(ExchangeKind.ACTUAL, "GET", PAGE.serialise())],
        [C.CHROMIUM_ONLY_SAFELISTED],
        Verdict.ALLOWED,
    ),
    ("connect", shape("CONNECT"), [], [C.FORBIDDEN_METHOD], Verdict.BLOCKED),
]


@pytest.mark.parametrize(
    ("request_shape", "exchanges", "codes", "verdict"),
    [d[1:] for d in DRY_RUNS],
    ids=[d[0] for d in DRY_RUNS],
)
def test_the_dry_run_is_the_conversation_told_nothing_was_sent(
    request_shape: RequestShape,
    exchanges: list[tuple[ExchangeKind, str, str | None]],
    codes: list[C],
    verdict: Verdict,
) -> None:
    run = drive(request_shape, lambda _: DRY_RUN)
    report = dry_run(request_shape)
    assert report.outcome == run.outcome
    assert report.dry_run
    outcome = report.outcome
    got = [(e.kind, e.request.method, e.request.headers.get("Origin")) for e in outcome.exchanges]
    assert got == exchanges
    assert all(e.withheld and e.response is None and e.hop == 0 for e in outcome.exchanges)
    assert [f.code for f in outcome.findings] == codes
    assert outcome.verdict is verdict
    assert (outcome.final_status, outcome.readable_headers) == (None, ())
    prepared = prepare(request_shape)
    expected_plan = (
        PreflightPlan(required=False) if isinstance(prepared, Outcome) else prepared.plan
    )
    assert report.plan == outcome.plan == expected_plan


def test_the_outcome_carries_the_first_preflight_plan() -> None:
    pf = ok(ACAO, ("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Allow-Headers", "*"))
    request_shape = shape("PUT", (("X-A", "1"),))
    run = drive(request_shape, answers(pf, ok(ACAO)))
    triggers = preflight_triggers("PUT", Headers((("X-A", "1"),)))
    planned = preflight.plan(URL, PAGE.serialise(), "PUT", triggers)
    assert run.outcome.plan.triggers == planned.triggers
    assert run.outcome.plan.unsafe_names == planned.unsafe_names
    assert run.outcome.plan.request is not None
    assert planned.request is not None
    # the CORS part of the request as preflight.plan makes it, then the engine's own headers
    assert set(planned.request.headers.pairs) <= set(run.outcome.plan.request.headers.pairs)
    assert "Sec-Fetch-Mode" in run.outcome.plan.request.headers
    assert run.outcome.plan.required
    assert run.outcome.plan.request == run.sent[0].request


def test_a_simple_request_plans_no_preflight() -> None:
    run = drive(shape(), answers(None, ok(ACAO)))
    assert run.outcome.plan == PreflightPlan(required=False, method="GET")
    refused = drive(shape("TRACE"), answers(None, ok(ACAO)))
    assert refused.outcome.plan == PreflightPlan(required=False)


def test_a_browser_that_keeps_user_agent_preflights_it() -> None:
    user_agent = shape("GET", (("User-Agent", "robot"),))
    chromium = drive(user_agent, answers(None, ok(ACAO)))
    assert [s.kind for s in chromium.sent] == [ExchangeKind.ACTUAL]
    assert C.USER_AGENT_DROPPED in [f.code for f in chromium.outcome.findings]

    keeps = replace(CHROMIUM, dropped_request_headers=frozenset())
    pf = ok(ACAO, ("Access-Control-Allow-Headers", "user-agent"), ("Access-Control-Max-Age", "60"))
    spec = drive(user_agent, answers(pf, ok(ACAO)), keeps)
    assert [s.kind for s in spec.sent] == [ExchangeKind.PREFLIGHT, ExchangeKind.ACTUAL]
    assert spec.sent[0].request.headers.get("Access-Control-Request-Headers") == "user-agent"
    assert spec.sent[1].request.headers.get("User-Agent") == "robot"
    assert C.USER_AGENT_DROPPED not in [f.code for f in spec.outcome.findings]


def test_a_browser_without_client_hints_preflights_them() -> None:
    hint = shape("GET", (("DPR", "2"),))
    plain = replace(CHROMIUM, extra_safelisted_headers={})
    run = drive(hint, answers(ok(ACAO, status=204), ok(ACAO)), plain)
    assert run.outcome.plan.unsafe_names == ("dpr",)
    assert C.CHROMIUM_ONLY_SAFELISTED not in [f.code for f in run.outcome.findings]


WILDCARD = ok(ACAO, ("Access-Control-Allow-Headers", "*"), ("Access-Control-Max-Age", "60"))
BAD_STATUS = ok(status=500)

SEAMS: list[tuple[str, Browser, RequestShape, WireResponse, C | None]] = [
    (
        "chromium-wildcard-covers-authorization",
        CHROMIUM,
        shape("GET", (("Authorization", "x"),)),
        WILDCARD,
        None,
    ),
    (
        "spec-wildcard-excludes-authorization",
        replace(CHROMIUM, wildcard_covers_authorization=False),
        shape("GET", (("Authorization", "x"),)),
        WILDCARD,
        C.HEADER_NOT_ALLOWED,
    ),
    ("chromium-cors-check-first", CHROMIUM, shape("DELETE"), BAD_STATUS, C.ACAO_MISSING),
    (
        "webkit-status-first",
        replace(CHROMIUM, preflight_cors_check_first=False),
        shape("DELETE"),
        BAD_STATUS,
        C.PREFLIGHT_NOT_OK,
    ),
    (
        "chromium-skips-empty-items",
        CHROMIUM,
        shape("GET", (("X-A", "1"),)),
        ok(ACAO, ("Access-Control-Allow-Headers", "x-a, ,")),
        None,
    ),
    (
        "empty-items-fail",
        replace(CHROMIUM, list_skips_empty_items=False),
        shape("GET", (("X-A", "1"),)),
        ok(ACAO, ("Access-Control-Allow-Headers", "x-a, ,")),
        C.ACAH_UNPARSABLE,
    ),
]


@pytest.mark.parametrize(
    ("browser", "request_shape", "pf", "decisive"),
    [s[1:] for s in SEAMS],
    ids=[s[0] for s in SEAMS],
)
def test_the_preflight_reads_the_browser(
    browser: Browser, request_shape: RequestShape, pf: WireResponse, decisive: C | None
) -> None:
    run = drive(request_shape, answers(pf, ok(ACAO)), browser)
    got = run.outcome.decisive.code if run.outcome.decisive is not None else None
    assert got is decisive


def test_the_browser_sets_how_many_redirects_are_followed() -> None:
    def loop(step: Send) -> Reply:
        return WireResponse(302, Headers((ACAO, ("Location", URL))))

    run = drive(shape(), loop, replace(CHROMIUM, max_redirects=3))
    assert len(run.sent) == 4
    assert run.outcome.decisive is not None
    assert run.outcome.decisive.code is C.TOO_MANY_REDIRECTS


def test_advice_is_told_once_per_url_not_once_per_stage() -> None:
    echo = ("Access-Control-Allow-Origin", "https://app.example")
    pf = ok(echo, ("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Allow-Headers", "*"))
    run = drive(shape("PUT", (("X-A", "1"),)), answers(pf, ok(echo)))
    codes = [f.code for f in run.outcome.findings]
    assert codes.count(C.VARY_ORIGIN_MISSING) == 1


def test_a_blocked_request_that_passed_its_preflight_says_so() -> None:
    pf = ok(ACAO, ("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Allow-Headers", "x-a"))
    run = drive(shape("PUT", (("X-A", "1"),)), answers(pf, ok()))
    reached = next(f for f in run.outcome.findings if f.code is C.REQUEST_REACHED_SERVER)
    assert reached.detail["preflighted"] is True


@pytest.mark.parametrize(
    ("response_headers", "told"),
    [
        ((("X-Total", "3"),), "x-total"),
        ((("Set-Cookie", "s=1"),), None),  # never readable by script: nothing to expose
        ((("Set-Cookie", "s=1"), ("X-Total", "3"), ("Set-Cookie2", "t=2")), "x-total"),
        ((("Content-Type", "text/plain"),), None),  # safelisted: readable
    ],
)
def test_headers_not_exposed_names_only_headers_a_server_could_expose(
    response_headers: tuple[tuple[str, str], ...], told: str | None
) -> None:
    """Access-Control-Expose-Headers cannot make Set-Cookie readable
    (https://fetch.spec.whatwg.org/#forbidden-response-header-name): the advice to expose a
    header never names it."""
    exposed = ("Access-Control-Expose-Headers", "access-control-allow-origin")
    answer = ok(("Access-Control-Allow-Origin", "*"), exposed, *response_headers)
    run = drive(shape(), answers(None, answer))
    found = [f.detail["names"] for f in run.outcome.findings if f.code is C.HEADERS_NOT_EXPOSED]
    expected = ["access-control-expose-headers" + (f", {told}" if told else "")]
    assert found == expected


def test_a_dressed_plan_is_built_from_every_field() -> None:
    # conversation.dressed builds PreflightPlan and WireRequest field by field: a new field
    # must be carried there too
    assert [f.name for f in fields(PreflightPlan)] == [
        "required",
        "triggers",
        "method",
        "unsafe_names",
        "request",
    ]
    assert [f.name for f in fields(WireRequest)] == ["method", "url", "headers", "body"]
    shape = RequestShape(
        "https://api.example/v1", Origin("https", "app.example"), "PUT", body=b"{}"
    )
    plan = prepare(shape, CHROMIUM)
    assert not isinstance(plan, Outcome)
    request = plan.plan.request
    assert request is not None
    undressed = preflight.plan(
        "https://api.example/v1",
        "https://app.example",
        "PUT",
        preflight_triggers("PUT", Headers(), CHROMIUM),
    )
    assert undressed.request is not None
    assert "User-Agent" in request.headers
    assert plan.plan == replace(
        undressed, request=replace(undressed.request, headers=request.headers)
    )
