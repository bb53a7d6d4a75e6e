"""The whole fetch() as a generator, driven with hand-built answers: no network, no clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from cors_probe.codes import FindingCode as C
from cors_probe.model import (
    ExchangeKind,
    FailureKind,
    Headers,
    Origin,
    Outcome,
    RequestShape,
    TransportFailure,
    Verdict,
    WireResponse,
)
from cors_probe.policy.conversation import Reply, Send, converse

PAGE = Origin("https", "app.example")
URL = "https://api.example/v1/tags"
ACAO = ("Access-Control-Allow-Origin", "https://app.example")
Answer = Callable[[Send], Reply]


@dataclass
class Run:
    outcome: Outcome
    sent: list[Send]


def drive(shape: RequestShape, answer: Answer) -> Run:
    sent: list[Send] = []
    flow = converse(shape)
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
