"""The use case with a fake send function: consent for side effects, dry runs, network failures."""

from __future__ import annotations

import pytest

from cors_probe.codes import FindingCode
from cors_probe.errors import ProbeError
from cors_probe.model import (
    ExchangeKind,
    FailureKind,
    Headers,
    Origin,
    RequestShape,
    Verdict,
    WireRequest,
    WireResponse,
)
from cors_probe.usecases import check

PAGE = Origin("https", "app.example")
URL = "https://api.example/v1/items"
GOOD_PREFLIGHT = Headers.of(
    ("Access-Control-Allow-Origin", "https://app.example"),
    ("Access-Control-Allow-Methods", "PUT, DELETE, patch, purge, OPTIONS"),
    ("Access-Control-Allow-Headers", "content-type"),
    ("Access-Control-Max-Age", "600"),
    ("Vary", "Origin"),
)
GOOD_ACTUAL = Headers.of(("Access-Control-Allow-Origin", "https://app.example"), ("Vary", "Origin"))


class FakeServer:
    def __init__(self) -> None:
        self.sent: list[WireRequest] = []

    def send(self, request: WireRequest) -> WireResponse:
        self.sent.append(request)
        headers = GOOD_PREFLIGHT if request.method == "OPTIONS" else GOOD_ACTUAL
        return WireResponse(status=204 if request.method == "OPTIONS" else 200, headers=headers)


@pytest.mark.parametrize("method", ["POST", "PUT", "patch", "DELETE", "purge"])
def test_side_effects_are_not_sent_without_consent(method: str) -> None:
    server = FakeServer()
    shape = RequestShape(URL, PAGE, method, Headers.of(("Content-Type", "application/json")))
    report = check.run(shape, server.send)
    assert all(r.method == "OPTIONS" for r in server.sent)
    assert report.outcome.verdict is Verdict.INCOMPLETE
    assert report.outcome.decisive is not None
    assert report.outcome.decisive.code is FindingCode.CONSENT_REQUIRED
    withheld = [e for e in report.outcome.exchanges if e.withheld]
    assert [e.kind for e in withheld] == [ExchangeKind.ACTUAL]


@pytest.mark.parametrize("method", ["GET", "get", "HEAD", "OPTIONS"])
def test_safe_methods_need_no_consent(method: str) -> None:
    server = FakeServer()
    report = check.run(RequestShape(URL, PAGE, method), server.send)
    assert server.sent[-1].method == method.upper()
    assert report.outcome.verdict is Verdict.ALLOWED


def test_consent_is_asked_once_and_then_honoured() -> None:
    server = FakeServer()
    asked: list[WireRequest] = []

    def consent(request: WireRequest) -> bool:
        asked.append(request)
        return True

    shape = RequestShape(
        URL, PAGE, "PUT", Headers.of(("Content-Type", "application/json")), body=b"{}"
    )
    report = check.run(shape, server.send, consent=consent)
    assert [r.method for r in server.sent] == ["OPTIONS", "PUT"]
    assert len(asked) == 1
    assert asked[0].method == "PUT"
    assert report.outcome.verdict is Verdict.ALLOWED


def test_dry_run_sends_nothing_and_shows_both_requests() -> None:
    shape = RequestShape(URL, PAGE, "PUT", Headers.of(("X-Api-Key", "abc")))
    report = check.dry_run(shape)
    assert report.dry_run
    kinds = [(e.kind, e.withheld) for e in report.outcome.exchanges]
    assert kinds == [(ExchangeKind.PREFLIGHT, True), (ExchangeKind.ACTUAL, True)]
    preflight = report.outcome.exchanges[0].request
    assert preflight.headers.get("Access-Control-Request-Headers") == "x-api-key"


def test_a_network_failure_is_a_value_with_its_kind() -> None:
    def refuse(request: WireRequest) -> WireResponse:
        raise ProbeError(FailureKind.REFUSED, "connection refused")

    report = check.run(RequestShape(URL, PAGE, "GET"), refuse)
    assert report.outcome.verdict is Verdict.UNREACHABLE
    assert report.outcome.decisive is not None
    assert report.outcome.decisive.detail["kind"] == "refused"


OTHER = "https://other.example/v2/items"
MOVED = "https://api.example/v2/moved"
ANYONE = Headers.of(
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Allow-Methods", "PUT"),
    ("Access-Control-Allow-Headers", "content-type"),
)


class RedirectingServer:
    """Answers the first URL's PUT with a 307 to `target`, and everything else with a yes."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.sent: list[WireRequest] = []

    def send(self, request: WireRequest) -> WireResponse:
        self.sent.append(request)
        if request.method == "OPTIONS":
            return WireResponse(status=204, headers=ANYONE)
        if request.url == URL:
            moved = Headers.of(*ANYONE.pairs, ("Location", self.target))
            return WireResponse(status=307, headers=moved)
        return WireResponse(status=200, headers=ANYONE)


@pytest.mark.parametrize(
    ("target", "answers", "asked_urls", "put_urls", "verdict"),
    [
        (OTHER, [True, True], [URL, OTHER], [URL, OTHER], Verdict.ALLOWED),
        (OTHER, [True, False], [URL, OTHER], [URL], Verdict.INCOMPLETE),
        (OTHER, [False], [URL], [], Verdict.INCOMPLETE),
        (MOVED, [True], [URL], [URL, MOVED], None),
    ],
    ids=["another-origin-yes", "another-origin-no", "first-no", "same-origin-asked-once"],
)
def test_consent_is_per_origin_across_redirects(
    target: str,
    answers: list[bool],
    asked_urls: list[str],
    put_urls: list[str],
    verdict: Verdict | None,
) -> None:
    server = RedirectingServer(target)
    asked: list[WireRequest] = []

    def consent(request: WireRequest) -> bool:
        asked.append(request)
        return answers[len(asked) - 1]

    shape = RequestShape(URL, PAGE, "PUT", Headers.of(("Content-Type", "application/json")))
    report = check.run(shape, server.send, consent=consent)
    assert [r.url for r in asked] == asked_urls
    assert [r.url for r in server.sent if r.method == "PUT"] == put_urls
    if verdict is not None:
        assert report.outcome.verdict is verdict


class SlowChain:
    """Redirects every request to the next hop after `hop` seconds on a fake clock, and takes a
    per-request time-out (a `TimedSendFn`): one shorter than the hop times out at it."""

    def __init__(self, hop: float) -> None:
        self.hop = hop
        self.now = 0.0
        self.timeouts: list[float | None] = []

    def send(self, request: WireRequest, timeout: float | None = None) -> WireResponse:
        self.timeouts.append(timeout)
        if timeout is not None and timeout < self.hop:
            self.now += timeout
            raise ProbeError(FailureKind.TIMEOUT, f"timed out: no response within {timeout:g} s")
        self.now += self.hop
        hop = len(self.timeouts)
        headers = Headers.of(("Location", f"/next/{hop}"), ("Access-Control-Allow-Origin", "*"))
        return WireResponse(302, headers)


def test_a_timed_send_is_given_what_is_left_of_the_deadline() -> None:
    """Each hop takes 0.9 s of a 1 s time-out: the third request is given the 0.7 s left of
    the 2.5 s deadline, not its full second, and the conversation ends at the deadline."""
    server = SlowChain(0.9)
    timed = check.Timed(server.send, 1.0)
    report = check.run(
        RequestShape(URL, PAGE, "GET"), timed, deadline=2.5, clock=lambda: server.now
    )
    assert server.timeouts == [1.0, 1.0, pytest.approx(0.7)]
    assert server.now == pytest.approx(2.5)
    decisive = report.outcome.decisive
    assert decisive is not None
    assert (decisive.code.value, decisive.detail["kind"]) == ("unreachable", "timeout")
    reason = "the conversation's deadline of 2.5 s passed after 2 redirects"
    assert decisive.detail["reason"] == reason  # not the cut request's own "within 0.7 s"


def test_a_timed_sends_own_time_out_stands_when_the_deadline_is_further() -> None:
    server = SlowChain(0.9)
    check.run(RequestShape(URL, PAGE, "GET"), check.Timed(server.send, 1.0), deadline=100.0)
    assert set(server.timeouts) == {1.0}
    assert len(server.timeouts) == 21  # the browser's redirect limit, not the deadline, ended it


def test_an_untimed_send_keeps_its_own_time_out_under_a_deadline() -> None:
    server = SlowChain(0.9)
    check.run(
        RequestShape(URL, PAGE, "GET"),
        lambda request: server.send(request),
        deadline=2.5,
        clock=lambda: server.now,
    )
    assert server.timeouts == [None, None, None]  # started at 0, 0.9 and 1.8 s


def test_assumed_headers_pass_the_time_out_on() -> None:
    from cors_probe.usecases.simulate import assuming

    server = SlowChain(0.9)
    timed = check.Timed(
        assuming(server.send, [("Access-Control-Allow-Origin", PAGE.serialise())]), 1.0
    )
    report = check.run(
        RequestShape(URL, PAGE, "GET"), timed, deadline=2.5, clock=lambda: server.now
    )
    assert server.timeouts == [1.0, 1.0, pytest.approx(0.7)]
    assert report.outcome.exchanges[0].response is not None
    assert report.outcome.exchanges[0].response.headers.get("Access-Control-Allow-Origin") == (
        PAGE.serialise()
    )
