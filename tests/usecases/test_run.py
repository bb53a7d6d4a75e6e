"""`usecases.run.run` with a fake transport: consent is settled and the clients are built before
anything is sent, so `--rate` paces every request from the first. The run is async: each test
drives it with asyncio.run."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterable
from dataclasses import replace

import pytest

from cors_probe.errors import UsageError
from cors_probe.model import Headers, Report, WireRequest, WireResponse
from cors_probe.usecases import check
from cors_probe.usecases.results import Status
from cors_probe.usecases.run import HostPacer, run, run_policy
from cors_probe.usecases.simulate import Answer, Answers, answerer
from cors_probe.usecases.spec import CheckSpec, PolicyFile
from tests.subjects import GOOD, PAGE, shape


class FakeTransport:
    """Answers every request with GOOD's answers; records the order of open() and send()."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.opened: list[str] = []
        self.lock = threading.Lock()
        self.answer = answerer(GOOD)

    async def open(self, urls: Iterable[str]) -> None:
        self.opened = list(urls)
        with self.lock:
            self.calls.append("open")

    async def send(self, request: WireRequest, timeout: float | None = None) -> WireResponse:
        with self.lock:
            self.calls.append(f"send {request.method} {request.url}")
        return self.answer(request)


def policy(*specs: CheckSpec) -> PolicyFile:
    return PolicyFile("cors-probe.toml", specs)


GETS = policy(
    CheckSpec("a", 3, shape("/a"), "app", "allowed"),
    CheckSpec("b", 9, shape("/b"), "app", "allowed"),
)


def test_the_transport_is_opened_for_every_url_before_the_first_send() -> None:
    transport = FakeTransport()
    result = asyncio.run(run(GETS, transport, jobs=2))
    assert transport.calls[0] == "open"
    assert transport.calls.count("open") == 1
    assert len(transport.calls) == 3  # open, then one GET per check
    assert transport.opened == ["https://api.example/a", "https://api.example/b"]
    assert [r.status for r in result.results] == [Status.PASSED, Status.PASSED]


PUT = CheckSpec("update", 12, shape("/a", "PUT"), "app", "allowed")


def test_a_side_effecting_check_without_consent_is_refused_before_anything_is_sent() -> None:
    transport = FakeTransport()
    message = (
        "cors-probe.toml:12: check 'update' sends PUT https://api.example/a, which may change "
        "data on the server: add allow_side_effects = true to it, or run with --yes; nothing "
        "was sent"
    )
    with pytest.raises(UsageError) as raised:
        asyncio.run(run(policy(GETS.checks[0], PUT), transport))
    assert str(raised.value) == message
    assert transport.calls == []


@pytest.mark.parametrize(
    ("spec", "yes"),
    [(PUT, True), (replace(PUT, allow_side_effects=True), False)],
    ids=["--yes", "allow_side_effects"],
)
def test_consent_in_the_file_or_yes_lets_the_check_run(spec: CheckSpec, yes: bool) -> None:
    transport = FakeTransport()
    result = asyncio.run(run(policy(spec), transport, yes=yes))
    assert transport.calls[0] == "open"
    assert [c.split()[1] for c in transport.calls[1:]] == ["OPTIONS", "PUT"]
    assert [r.status for r in result.results] == [Status.PASSED]


# --- deadlines: a conversation's, and each request's share of it ----------------------------


class Redirecting:
    """Answers every request with a redirect to the next URL, `seconds` later on the clock."""

    def __init__(self, seconds: float, clock: list[float] | None = None) -> None:
        self.seconds, self.clock = seconds, clock
        self.timeouts: list[float | None] = []

    async def open(self, urls: Iterable[str]) -> None:
        del urls

    async def send(self, request: WireRequest, timeout: float | None = None) -> WireResponse:
        return self.send_now(request, timeout)

    def send_now(self, request: WireRequest, timeout: float | None = None) -> WireResponse:
        self.timeouts.append(timeout)
        if self.clock is not None:
            self.clock[0] += self.seconds
        else:
            time.sleep(self.seconds)
        hop = len(self.timeouts)
        headers = Headers.of(("Location", f"/next/{hop}"), ("Access-Control-Allow-Origin", PAGE))
        return WireResponse(302, headers)


def test_a_conversation_stops_at_its_deadline_and_says_after_how_many_redirects() -> None:
    clock = [0.0]
    server = Redirecting(1.0, clock)
    report = check.run(shape("/a"), server.send_now, deadline=3.5, clock=lambda: clock[0])
    assert len(server.timeouts) == 4  # at 0, 1, 2 and 3 s; the fifth would start at 4 s
    decisive = report.outcome.decisive
    assert decisive is not None
    assert (decisive.code.value, decisive.detail["kind"]) == ("unreachable", "timeout")
    reason = "the conversation's deadline of 3.5 s passed after 4 redirects"
    assert decisive.detail["reason"] == reason


def test_without_a_deadline_a_conversation_ends_at_the_browsers_redirect_limit() -> None:
    clock = [0.0]
    report = check.run(shape("/a"), Redirecting(1.0, clock).send_now)
    assert report.outcome.decisive is not None
    assert report.outcome.decisive.code.value != "unreachable"


def test_a_run_bounds_each_request_by_what_is_left_of_its_checks_deadline() -> None:
    clock = [0.0]
    server = Redirecting(0.1, clock)
    budgets: list[float] = []

    async def send(spec: CheckSpec, request: WireRequest, budget: float) -> WireResponse:
        del spec
        budgets.append(budget)
        return await server.send(request, budget)

    spec = replace(CheckSpec("a", 3, shape("/a"), "app", "allowed"), timeout=1.0)
    (outcome,) = asyncio.run(run_policy(policy(spec), send, deadline=0.25, clock=lambda: clock[0]))
    assert budgets == pytest.approx([0.25, 0.15, 0.05])  # what is left, not the whole second
    assert outcome.got == "unreachable"
    assert outcome.decisive is not None
    reason = str(outcome.decisive.detail["reason"])
    assert reason == "the conversation's deadline of 0.25 s passed after 3 redirects"


def test_a_run_passes_its_deadline_to_every_check() -> None:
    transport = Redirecting(0.05)
    spec = replace(CheckSpec("a", 3, shape("/a"), "app", "allowed"), timeout=1.0)
    (outcome,) = asyncio.run(run(policy(spec), transport, deadline=0.12)).results
    assert outcome.got == "unreachable"
    assert outcome.decisive is not None
    assert "the conversation's deadline of 0.12 s passed" in str(outcome.decisive.detail["reason"])


def test_a_runs_default_deadline_is_a_multiple_of_each_checks_timeout() -> None:
    clock_free = Redirecting(0.0)
    spec = replace(CheckSpec("a", 3, shape("/a"), "app", "allowed"), timeout=0.5)
    asyncio.run(run(policy(spec), clock_free))
    assert set(clock_free.timeouts) == {0.5}  # quick hops: the request time-out applies
    assert check.default_deadline(0.5) == check.DEADLINE_FACTOR * 0.5
    assert check.default_deadline(0.5, 7.0) == 7.0


def test_stopping_the_pacer_wakes_a_check_waiting_for_its_slot() -> None:
    async def stopped() -> float:
        pacer = HostPacer(0.1)  # one request every 10 s
        await pacer.wait("https://api.example/a")
        asyncio.get_running_loop().call_later(0.2, pacer.stop)
        started = time.monotonic()
        await pacer.wait("https://api.example/b")
        return time.monotonic() - started

    assert asyncio.run(stopped()) < 2


# --- engines: each check in its own, judged per engine -----------------------------------------

WILDCARD = ("Access-Control-Allow-Origin", "*")
CLIENT_HINT = Answers(Answer(405, Headers.of(("Allow", "GET"))), Answer(200, Headers.of(WILDCARD)))
"""A client hint is allowed on GET, but OPTIONS is not routed: Chromium sends no preflight for
`DPR: 2`; Firefox and Safari do, and block."""

# (engine, expectation, status, verdict, first request's method, its User-Agent's mark)
ENGINE_ROWS = [
    ("chrome", "allowed", Status.PASSED, "allowed", "GET", "Chrome/"),
    ("firefox", "allowed", Status.FAILED, "blocked", "OPTIONS", "Firefox/"),
    ("safari", "allowed", Status.FAILED, "blocked", "OPTIONS", "Version/"),
    ("firefox", "blocked", Status.PASSED, "blocked", "OPTIONS", "Firefox/"),
]


@pytest.mark.parametrize(
    ("engine", "expect", "status", "got", "method", "agent"),
    ENGINE_ROWS,
    ids=[f"{r[0]}-expects-{r[1]}" for r in ENGINE_ROWS],
)
def test_each_check_runs_in_its_engine_and_its_expectation_applies_there(
    engine: str, expect: str, status: Status, got: str, method: str, agent: str
) -> None:
    sent: list[WireRequest] = []
    answer = answerer(CLIENT_HINT)

    async def send(spec: CheckSpec, request: WireRequest, budget: float) -> WireResponse:
        del spec, budget
        sent.append(request)
        return answer(request)

    spec = CheckSpec("hint", 3, shape("/h", "GET", "DPR: 2"), "app", expect, browser=engine)
    reports: list[Report] = []
    kept = run_policy(policy(spec), send, on_report=lambda _, __, r: reports.append(r))
    (result,) = asyncio.run(kept)
    assert (result.status, result.got) == (status, got)
    assert reports[0].browser == engine
    assert sent[0].method == method
    assert agent in (sent[0].headers.get("User-Agent") or "")


def test_without_a_report_to_show_the_engines_not_run_are_not_replayed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A run whose outputs show no report (text, JUnit, SARIF, GitHub) skips the replays that
    make `contrasts`; its results are the same as a run that keeps every report."""
    from cors_probe.policy.browsers import Browser
    from cors_probe.usecases import engines

    replayed: list[str] = []
    real = engines.replay

    def counting(shape: object, browser: Browser, exchanges: object) -> object:
        replayed.append(browser.name)
        return real(shape, browser, exchanges)  # type: ignore[arg-type]

    monkeypatch.setattr(engines, "replay", counting)
    reports: list[Report] = []
    kept = asyncio.run(
        run(GETS, FakeTransport(), on_report=lambda _i, _r, report: reports.append(report))
    )
    assert len(replayed) == 2 * len(GETS.checks)  # the two engines not run, per check
    assert all(r.agreeing is not None for r in reports)
    replayed.clear()
    bare = asyncio.run(run(GETS, FakeTransport()))
    assert replayed == []
    assert [(r.status, r.got, r.codes) for r in bare.results] == [
        (r.status, r.got, r.codes) for r in kept.results
    ]
