"""Exit codes of one check (`report_exit_code`): one per verdict, all distinct; a dry run exits 0
unless it already knows the request is blocked."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cors_probe.exitcodes import ExitCode
from cors_probe.model import Headers, Origin, Outcome, Report, RequestShape, Verdict
from cors_probe.usecases.results import report_exit_code
from tests.subjects import allowed

EXPECTED = {
    Verdict.ALLOWED: ExitCode.ALLOWED,
    Verdict.BLOCKED: ExitCode.BLOCKED,
    Verdict.INCOMPLETE: ExitCode.INCOMPLETE,
    Verdict.UNREACHABLE: ExitCode.UNREACHABLE,
}


def with_verdict(verdict: Verdict, *, dry_run: bool = False) -> Report:
    report = allowed()
    outcome = Outcome(verdict, report.outcome.findings, report.outcome.exchanges)
    return replace(report, outcome=outcome, dry_run=dry_run)


def test_every_verdict_has_its_expected_code() -> None:
    assert set(EXPECTED) == set(Verdict), "a new verdict needs an exit code here and in README"


@pytest.mark.parametrize("verdict", list(Verdict))
def test_each_verdict_exits_with_its_documented_code(verdict: Verdict) -> None:
    assert report_exit_code(with_verdict(verdict)) == EXPECTED[verdict]


def test_the_verdicts_codes_are_distinct_and_not_usage_or_internal() -> None:
    codes = [report_exit_code(with_verdict(v)) for v in Verdict]
    assert len(set(codes)) == len(codes)
    assert not {ExitCode.USAGE, ExitCode.INTERNAL, ExitCode.INTERRUPTED} & set(codes)


@pytest.mark.parametrize("verdict", list(Verdict))
def test_a_dry_run_exits_0_unless_it_knows_the_request_is_blocked(verdict: Verdict) -> None:
    expected = ExitCode.BLOCKED if verdict is Verdict.BLOCKED else ExitCode.ALLOWED
    assert report_exit_code(with_verdict(verdict, dry_run=True)) == expected


def test_a_dry_run_is_skipped_not_passed_when_seen_as_a_run() -> None:
    """`check --dry-run --format junit|sarif|github` must not turn a CI line green: nothing was
    sent. A dry run that already knows the request is blocked still fails."""
    from cors_probe.usecases.check import dry_run
    from cors_probe.usecases.results import DRY_RUN_PROBLEM, Status, run_of

    page = Origin("https", "app.example")
    put = RequestShape("https://api.example/x", page, "PUT", Headers.of(("X-A", "1")))
    connect = RequestShape("https://api.example/x", page, "CONNECT")
    run = run_of([("put", dry_run(put)), ("connect", dry_run(connect))])
    skipped, blocked = run.results
    assert (skipped.status, skipped.problems) == (Status.SKIPPED, (DRY_RUN_PROBLEM,))
    assert blocked.status is Status.FAILED
    assert run.exit_code() == 1


def test_a_report_of_several_engines_is_one_check_per_engine_when_seen_as_a_run() -> None:
    """`check --browser all --format junit|sarif|github`: each engine is its own test case, named
    after it; a Chromium-only report keeps the plain name; any other engine alone is named."""
    from cors_probe.policy.browsers import BROWSERS, CHROMIUM, FIREFOX
    from cors_probe.usecases import check
    from cors_probe.usecases.results import Status, run_of
    from cors_probe.usecases.simulate import Answer, Answers, answerer
    from tests.subjects import shape

    hint = shape("/h", "GET", "DPR: 2")  # Chromium: no preflight; the others: one, refused 405
    answers = answerer(
        Answers(
            Answer(405, Headers()), Answer(200, Headers.of(("Access-Control-Allow-Origin", "*")))
        )
    )
    rows = [
        ((CHROMIUM,), [("check", "chrome", Status.PASSED)]),
        ((FIREFOX,), [("check [firefox]", "firefox", Status.FAILED)]),
        (
            BROWSERS,
            [
                ("check [chromium]", "chrome", Status.PASSED),
                ("check [firefox]", "firefox", Status.FAILED),
                ("check [safari]", "safari", Status.FAILED),
            ],
        ),
    ]
    for browsers, expected in rows:
        report = check.run(hint, answers, browsers=browsers)
        run = run_of([("check", report)])
        got = [(r.spec.name, r.spec.browser, r.status) for r in run.results]
        assert got == expected, browsers


@pytest.mark.parametrize("checks", [1, 2000])
def test_a_runs_repr_does_not_grow_with_its_checks(checks: int) -> None:
    """asyncio quotes a finished task's result in a message when it restores the SIGINT handler:
    the repr of a run of 20,000 checks was the peak of the run's memory."""
    from cors_probe.usecases.results import run_of

    run = run_of([(f"c{i}", allowed()) for i in range(checks)])
    text = repr(run)
    assert len(text) < 200
    assert f"{checks} check" in text
