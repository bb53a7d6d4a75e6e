"""A replay leaves out the findings that never decide (`converse(..., advice=False)`): over every
browser scenario and engine, the Outcome is the full one's but for those findings, so
`agreeing` and `contrasts` are unchanged."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from cors_probe.model import (
    ExchangeKind,
    Outcome,
    RequestShape,
    TransportFailure,
    WireRequest,
    WireResponse,
)
from cors_probe.policy.browsers import BROWSERS, Browser
from cors_probe.policy.conversation import Reply, Send, converse, drive
from cors_probe.usecases import engines
from tests import scenario_answers

CASES = list(scenario_answers.cases())


def _answering(send: scenario_answers.Send) -> Callable[[Send], Reply]:
    return lambda step: send(step.request)


def _received(
    answers: Mapping[tuple[ExchangeKind, str, str], WireResponse | TransportFailure],
) -> Callable[[Send], Reply]:
    return lambda step: answers[(step.kind, step.request.method, step.request.url)]


def _outcome(
    case: tuple[str, RequestShape, scenario_answers.Send], browser: Browser, advice: bool
) -> Outcome:
    _, shape, send = case

    return drive(converse(shape, browser, advice=advice), _answering(send))


@pytest.mark.parametrize("browser", BROWSERS, ids=lambda b: b.name)
def test_without_advice_only_findings_that_never_decide_are_left_out(browser: Browser) -> None:
    assert len(CASES) > 300
    left_out = 0
    for case in CASES:
        full, lean = _outcome(case, browser, True), _outcome(case, browser, False)
        assert (lean.verdict, lean.decisive, lean.plan) == (full.verdict, full.decisive, full.plan)
        assert (lean.exchanges, lean.hops) == (full.exchanges, full.hops), case[0]
        assert (lean.final_status, lean.readable_headers, lean.response_type) == (
            full.final_status,
            full.readable_headers,
            full.response_type,
        )
        kept = iter(full.findings)
        assert all(any(f == g for g in kept) for f in lean.findings), case[0]  # in order
        dropped = [f for f in full.findings if f not in lean.findings]
        assert all(f.severity.value != "error" for f in dropped), case[0]
        left_out += len(dropped)
    assert left_out > 100  # the table exercises what is left out


def test_a_replay_decides_as_the_full_conversation_on_the_same_answers() -> None:
    told = 0
    for name, shape, send in CASES:
        chrome = drive(converse(shape, BROWSERS[0]), _answering(send))
        replayed = engines.replays(shape, [(BROWSERS[0], chrome)])
        for browser in BROWSERS[1:]:
            result = replayed[browser.name]
            if isinstance(result, WireRequest):
                continue
            answers = engines._answered(chrome.exchanges)
            full = drive(converse(shape, browser), _received(answers))
            assert (result.verdict, result.decisive, result.plan) == (
                full.verdict,
                full.decisive,
                full.plan,
            ), name
            told += 1
        assert engines.agreeing([(BROWSERS[0], chrome)], replayed) is not None
    assert told > 300
