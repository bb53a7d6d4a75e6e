"""Exit codes of one check (`report_exit_code`): one per verdict, all distinct; a dry run exits 0
unless it already knows the request is blocked."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cors_probe.exitcodes import ExitCode
from cors_probe.model import Outcome, Report, Verdict
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
