"""A captured conversation answered from its recorded exchanges: the report, or what is missing."""

from __future__ import annotations

import pytest

from cors_probe.codes import FindingCode
from cors_probe.exitcodes import ExitCode
from cors_probe.model import (
    Derivation,
    ExchangeKind,
    Headers,
    Origin,
    RequestShape,
    Stage,
    Verdict,
    WireResponse,
)
from cors_probe.policy.browsers import CHROMIUM, FIREFOX
from cors_probe.usecases import check
from cors_probe.usecases.har import Capture, Explanation, Recorded, Row, exit_code, explain

PAGE = Origin("https", "app.example")
URL = "https://api.example/v1/items"
JSON = Headers.of(("Content-Type", "application/json"))
DERIVED = Derivation("har", "Origin", None, engine="chrome")
ALLOW = Headers.of(
    ("Access-Control-Allow-Origin", "https://app.example"),
    ("Access-Control-Allow-Methods", "PUT"),
    ("Access-Control-Allow-Headers", "content-type"),
)
ALLOW_CREDENTIALS = Headers.of(*ALLOW.pairs, ("Access-Control-Allow-Credentials", "true"))


def _preflight(headers: Headers, status: int = 204) -> Recorded:
    return Recorded(ExchangeKind.PREFLIGHT, 0, "PUT", URL, WireResponse(status, headers), 2)


def _actual(response: WireResponse | None, method: str = "PUT") -> Recorded:
    return Recorded(ExchangeKind.ACTUAL, 0, method, URL, response, 1)


def test_the_report_is_check_s_on_the_recorded_answers_marked_captured() -> None:
    shape = RequestShape(URL, PAGE, "PUT", JSON, body=b"{}")
    recorded = [_preflight(ALLOW), _actual(WireResponse(200, Headers.of(ALLOW.pairs[0])))]
    explained = explain(shape, recorded, DERIVED)
    assert explained.report is not None
    served = iter([r.response for r in recorded])
    live = check.run(shape, lambda _: next(served) or WireResponse(0, Headers()), consent=bool)
    assert explained.report.outcome.verdict is live.outcome.verdict is Verdict.ALLOWED
    assert explained.report.outcome.findings == live.outcome.findings
    assert explained.report.captured
    assert explained.report.derived == DERIVED


def test_a_refused_preflight_decides_without_the_request_the_browser_never_sent() -> None:
    shape = RequestShape(URL, PAGE, "PUT", JSON, body=b"{}")
    explained = explain(shape, [_preflight(ALLOW, 403), _actual(None)], DERIVED)
    assert explained.report is not None
    decisive = explained.report.outcome.decisive
    assert decisive is not None
    assert decisive.stage is Stage.PREFLIGHT
    assert decisive.code is FindingCode.PREFLIGHT_NOT_OK


def test_a_request_the_capture_does_not_answer_is_named_not_invented() -> None:
    """Firefox on a Chromium capture that has no preflight (none was needed there): cannot tell."""
    shape = RequestShape(URL, PAGE, "PUT", JSON, body=b"{}")
    explained = explain(shape, [_actual(WireResponse(200, ALLOW))], DERIVED, (FIREFOX,))
    assert explained.report is None
    assert explained.unsent is not None
    assert (explained.unsent_kind, explained.unsent.method) == (ExchangeKind.PREFLIGHT, "OPTIONS")


@pytest.mark.parametrize(
    ("preflight", "credentials_from", "verdict"),
    [
        # passes without credentials, fails with them (no ACAC): the request was credentialed
        (ALLOW, "preflight", Verdict.BLOCKED),
        # passes either way: the browser's reason to stop is not in the capture
        (ALLOW_CREDENTIALS, None, None),
    ],
)
def test_a_preflight_that_passes_only_without_credentials_tells_they_were_included(
    preflight: Headers, credentials_from: str | None, verdict: Verdict | None
) -> None:
    shape = RequestShape(URL, PAGE, "PUT", JSON, body=b"{}")
    explained = explain(shape, [_preflight(preflight), _actual(None)], DERIVED)
    if verdict is None:
        assert explained.report is None
        assert explained.unsent_kind is ExchangeKind.ACTUAL
        return
    assert explained.report is not None
    assert explained.report.shape.credentials
    assert explained.report.outcome.verdict is verdict
    assert explained.report.derived is not None
    assert explained.report.derived.credentials_from == credentials_from


def _row(explanation: Explanation) -> Row:
    return Row(1, "PUT", URL, 200, explanation, DERIVED)


def test_the_exit_code_is_the_worst_verdict_and_cannot_tell_is_incomplete() -> None:
    shape = RequestShape(URL, PAGE, "GET")
    allowed = explain(shape, [_actual(WireResponse(200, ALLOW), "GET")], DERIVED, (CHROMIUM,))
    blocked = explain(shape, [_actual(WireResponse(200, Headers()), "GET")], DERIVED)
    assert allowed.report is not None
    assert blocked.report is not None
    unknown = Explanation(None, None)
    assert exit_code(Capture("c.har", "chrome", ())) is ExitCode.ALLOWED
    assert exit_code(Capture("c.har", "chrome", (_row(allowed),))) is ExitCode.ALLOWED
    assert exit_code(Capture("c.har", "chrome", (_row(allowed), _row(unknown)))) is (
        ExitCode.INCOMPLETE
    )
    rows = (_row(unknown), _row(blocked), _row(allowed))
    assert exit_code(Capture("c.har", "chrome", rows)) is ExitCode.BLOCKED
