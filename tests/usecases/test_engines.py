"""Several engines on one check: each runs its own conversation, shared requests go out once,
and engines not run are told about when the same answers would make them decide otherwise."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from cors_probe.codes import FindingCode
from cors_probe.errors import ProbeError
from cors_probe.model import (
    FailureKind,
    Headers,
    Origin,
    RequestShape,
    Verdict,
    WireRequest,
    WireResponse,
)
from cors_probe.policy.browsers import BROWSERS, CHROMIUM, FIREFOX, WEBKIT
from cors_probe.usecases import check
from cors_probe.usecases.engines import replays
from cors_probe.usecases.results import report_exit_code

PAGE = Origin("https", "app.example")
URL = "https://api.example/v1/items"
ACAO_ANY = Headers.of(("Access-Control-Allow-Origin", "*"))


class Server:
    """Answers GET with ACAO * and OPTIONS as told; records every request."""

    def __init__(self, options: Callable[[WireRequest], WireResponse]) -> None:
        self.sent: list[WireRequest] = []
        self.options = options

    def send(self, request: WireRequest) -> WireResponse:
        self.sent.append(request)
        if request.method == "OPTIONS":
            return self.options(request)
        return WireResponse(200, ACAO_ANY)


def no_options(_: WireRequest) -> WireResponse:
    return WireResponse(405, Headers())


def hint(name: str = "DPR", value: str = "2") -> RequestShape:
    return RequestShape(URL, PAGE, "GET", Headers.of((name, value)))


def test_a_client_hint_splits_the_engines_when_options_is_not_answered() -> None:
    server = Server(no_options)
    report = check.run(hint(), server.send, browsers=BROWSERS)
    verdicts = {r.browser: r.outcome.verdict for r in report.engines}
    assert verdicts == {
        "chrome": Verdict.ALLOWED,
        "firefox": Verdict.BLOCKED,
        "safari": Verdict.BLOCKED,
    }
    assert [r.plan.required for r in report.engines] == [False, True, True]
    assert report_exit_code(report) == 1
    assert report.contrasts == ()  # every engine was run


def test_each_engine_sends_its_own_requests() -> None:
    server = Server(no_options)
    check.run(RequestShape(URL, PAGE), server.send, browsers=BROWSERS)
    agents = [r.headers.get("User-Agent") for r in server.sent]
    assert agents == [CHROMIUM.user_agent, FIREFOX.user_agent, WEBKIT.user_agent]


def test_a_request_engines_send_alike_goes_out_once() -> None:
    server = Server(no_options)
    shape = RequestShape(URL, PAGE, user_agent="probe/1")
    twins = (CHROMIUM, replace(CHROMIUM, name="twin"))  # byte for byte the same requests
    report = check.run(shape, server.send, browsers=twins)
    assert len(server.sent) == 1
    assert len(report.engines) == 2


def test_one_engine_is_told_what_the_others_would_need() -> None:
    server = Server(no_options)
    report = check.run(hint(), server.send)
    assert report.outcome.verdict is Verdict.ALLOWED
    assert {c.browser for c in report.contrasts} == {"firefox", "safari"}
    for contrast in report.contrasts:
        assert contrast.verdict is None  # they would send an OPTIONS nobody sent
        assert contrast.unsent is not None
        assert contrast.unsent.method == "OPTIONS"
        assert contrast.plan.required


def test_an_engine_that_decides_otherwise_on_the_same_answers_is_named() -> None:
    """A preflighted PUT redirected to another origin that allows only `null`: Chromium and
    WebKit preflight there with `Origin: null` and pass; Firefox sends the page's origin on that
    preflight and is refused (scenario engines-redirect-then-preflight-null)."""
    other = "https://other.example/v1/items"
    allow_null = Headers.of(
        ("Access-Control-Allow-Origin", "null"),
        ("Access-Control-Allow-Methods", "PUT"),
        ("Access-Control-Allow-Headers", "content-type"),
    )
    first = Headers.of(
        ("Access-Control-Allow-Origin", "https://app.example"),
        ("Access-Control-Allow-Methods", "PUT"),
        ("Access-Control-Allow-Headers", "content-type"),
    )

    def send(request: WireRequest) -> WireResponse:
        if request.url == other:
            return WireResponse(204 if request.method == "OPTIONS" else 200, allow_null)
        if request.method == "OPTIONS":
            return WireResponse(204, first)
        return WireResponse(307, Headers.of(*first.pairs, ("Location", other)))

    shape = RequestShape(
        URL, PAGE, "PUT", Headers.of(("Content-Type", "application/json")), body=b"{}"
    )
    report = check.run(shape, send, consent=lambda _: True)
    assert report.outcome.verdict is Verdict.ALLOWED
    (firefox,) = report.contrasts
    assert firefox.browser == "firefox"
    assert firefox.verdict is Verdict.BLOCKED
    assert firefox.decisive is not None
    assert firefox.decisive.code is FindingCode.ACAO_MISMATCH
    assert firefox.decisive.stage.value == "preflight"


@pytest.mark.parametrize("browser", BROWSERS, ids=[b.name for b in BROWSERS])
def test_a_dry_run_sends_nothing_in_any_engine(browser: object) -> None:
    report = check.dry_run(hint(), (CHROMIUM, FIREFOX, WEBKIT))
    assert report.dry_run
    assert [r.browser for r in report.engines] == ["chrome", "firefox", "safari"]
    assert all(e.withheld for r in report.engines for e in r.outcome.exchanges)
    assert report.contrasts == ()
    del browser


def test_a_request_with_side_effects_goes_out_once_whatever_the_engines() -> None:
    allow = Headers.of(
        ("Access-Control-Allow-Origin", "https://app.example"),
        ("Access-Control-Allow-Methods", "PUT"),
        ("Access-Control-Allow-Headers", "content-type"),
    )
    server = Server(lambda _: WireResponse(204, allow))
    shape = RequestShape(
        URL, PAGE, "PUT", Headers.of(("Content-Type", "application/json")), body=b"{}"
    )
    asked: list[str] = []

    def consent(request: WireRequest) -> bool:
        asked.append(request.method)
        return True

    report = check.run(shape, server.send, browsers=BROWSERS, consent=consent)
    assert [r.method for r in server.sent].count("PUT") == 1
    assert [r.method for r in server.sent].count("OPTIONS") == 3  # safe: each engine's own
    assert asked == ["PUT"]
    assert all(r.outcome.exchanges[-1].response is not None for r in report.engines)


def test_console_lines_are_told_only_for_engines_that_reach_the_same_finding() -> None:
    """OPTIONS answered 500 without ACAO: Chromium and Firefox block on the missing ACAO,
    WebKit on the status (it judges the status first)."""
    server = Server(lambda _: WireResponse(500, Headers()))
    shape = RequestShape(URL, PAGE, "PUT", Headers.of(("Content-Type", "application/json")))
    alone = check.run(shape, server.send)
    assert alone.agreeing == ("firefox",)
    together = check.run(shape, server.send, browsers=BROWSERS)
    assert {r.browser: r.agreeing for r in together.engines} == {
        "chrome": ("firefox",),
        "firefox": ("chrome",),
        "safari": (),
    }


class Redirecting:
    """A 307 from `URL` to `target`; every answer allows the PUT for any origin (`null` too)."""

    ALLOW = Headers.of(
        ("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Allow-Methods", "PUT"),
        ("Access-Control-Allow-Headers", "content-type"),
    )

    def __init__(self, target: str) -> None:
        self.target = target
        self.sent: list[WireRequest] = []

    def send(self, request: WireRequest) -> WireResponse:
        self.sent.append(request)
        if request.method == "OPTIONS" or request.url != URL:
            return WireResponse(204 if request.method == "OPTIONS" else 200, self.ALLOW)
        return WireResponse(307, Headers.of(*self.ALLOW, ("Location", self.target)))


@pytest.mark.parametrize(
    ("page", "target"),
    [
        (PAGE, "https://other.example/v1/items"),  # cross-origin, then another origin: tainted
        (PAGE, "https://api.example/v2/items"),  # cross-origin, same origin again
        (Origin("https", "api.example"), "https://other.example/v1/items"),  # same, then cross
    ],
)
def test_a_redirected_request_with_side_effects_goes_out_once_per_url(
    page: Origin, target: str
) -> None:
    """After a redirect the engines' PUTs differ in more than their identity headers (Fetch
    Metadata, Origin, what the redirect keeps): still one PUT per URL, not one per engine."""
    server = Redirecting(target)
    shape = RequestShape(
        URL, page, "PUT", Headers.of(("Content-Type", "application/json")), body=b"{}"
    )
    report = check.run(shape, server.send, browsers=BROWSERS, consent=lambda _: True)
    puts = [r.url for r in server.sent if r.method == "PUT"]
    assert puts == [URL, target]
    assert all(r.outcome.exchanges[-1].response is not None for r in report.engines)


@pytest.mark.parametrize("kind", [FailureKind.REFUSED, FailureKind.TIMEOUT, FailureKind.DNS])
def test_an_unreachable_server_is_unreachable_for_the_engines_not_run_too(
    kind: FailureKind,
) -> None:
    # every engine's first request is the one that failed (a simple GET; a PUT every engine
    # preflights): none "would send a request the run did not", none decides otherwise. (A
    # client hint Chromium sends without a preflight is another matter: Firefox's OPTIONS is a
    # request the run did not send, and it is named: test_one_engine_is_told_what_the_...)
    def send(request: WireRequest) -> WireResponse:
        raise ProbeError(kind, "no answer")

    for shape in (RequestShape(URL, PAGE), RequestShape(URL, PAGE, "PUT")):
        report = check.run(shape, send, consent=lambda _: True)
        assert report.outcome.verdict is Verdict.UNREACHABLE
        assert report.contrasts == ()
        replayed = replays(shape, [(CHROMIUM, report.outcome)])
        verdicts = {name: getattr(o, "verdict", o) for name, o in replayed.items()}
        assert verdicts == {"firefox": Verdict.UNREACHABLE, "safari": Verdict.UNREACHABLE}
