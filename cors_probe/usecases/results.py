"""A check's report against its expectation (passed, failed and why, unreachable, skipped), the
finished run, and every exit-code rule: one check's (`report_exit_code`) and a run's (`exit_code`).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from cors_probe.exitcodes import ExitCode
from cors_probe.model import Finding, Report, Verdict
from cors_probe.policy.browsers import named
from cors_probe.usecases.spec import CheckSpec, PolicyFile, Unreachable, engine_named

if TYPE_CHECKING:
    from cors_probe.usecases.baseline import Change


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    UNREACHABLE = "unreachable"
    SKIPPED = "skipped"


ORDER = {Status.FAILED: 0, Status.UNREACHABLE: 1, Status.SKIPPED: 2, Status.PASSED: 3}


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What a run keeps of a check: the judgement, not the exchanges (a run of thousands of
    checks stays small; the JSON format writes each full report as it arrives)."""

    spec: CheckSpec
    status: Status
    problems: tuple[str, ...]
    got: str
    """The verdict: allowed, blocked, incomplete or unreachable."""
    findings: tuple[Finding, ...]
    """The findings a summary may name: every one of a check that did not pass, none of a
    passed check (a run of 20,000 keeps their codes, not the findings: `codes`)."""
    decisive: Finding | None
    elapsed_ms: float
    """The round trips' time, summed."""
    allowed_by: str | None = None
    """The Access-Control-Allow-Origin the last response answered, when the verdict is allowed:
    what let the page read it (the words of an "expected blocked, got allowed" failure)."""
    codes: tuple[str, ...] = ()
    """Every finding's code, once each, in the order found (the baseline, JSON and JUnit)."""

    @property
    def problem_finding(self) -> Finding | None:
        """The finding a failure is about: the decisive one, else the first forbidden present."""
        if self.decisive is not None and self.got != self.spec.expect:
            return self.decisive
        for finding in self.findings:
            if finding.code.value in self.spec.forbid:
                return finding
        return self.decisive


_CODES: dict[tuple[str, ...], tuple[str, ...]] = {}
"""One tuple per list of codes found: the thousands of checks that found the same share it (as
they share one interned Access-Control-Allow-Origin)."""


def evaluate(
    spec: CheckSpec, report: Report, unreachable: Unreachable = Unreachable.ERROR
) -> CheckResult:
    outcome = report.outcome
    elapsed = sum(e.response.elapsed_ms for e in outcome.exchanges if e.response is not None)
    answered = [e.response for e in outcome.exchanges if e.response is not None]
    allowed_by = (
        answered[-1].headers.get("Access-Control-Allow-Origin")
        if answered and outcome.verdict is Verdict.ALLOWED
        else None
    )

    codes = tuple(dict.fromkeys(f.code.value for f in outcome.findings))

    def result(status: Status, problems: tuple[str, ...]) -> CheckResult:
        return CheckResult(
            spec,
            status,
            problems,
            outcome.verdict.value,
            outcome.findings if status is not Status.PASSED else (),
            outcome.decisive,
            elapsed,
            sys.intern(allowed_by) if allowed_by is not None else None,
            _CODES.setdefault(codes, codes),
        )

    if outcome.verdict is Verdict.UNREACHABLE:
        reason = outcome.decisive.detail.get("reason", "") if outcome.decisive else ""
        problem = (f"could not reach {spec.shape.url}: {reason}",)
        status = {
            Unreachable.ERROR: Status.UNREACHABLE,
            Unreachable.FAIL: Status.FAILED,
            Unreachable.SKIP: Status.SKIPPED,
        }[unreachable]
        return result(status, problem)
    problems: list[str] = []
    if outcome.verdict.value != spec.expect:
        why = f" ({outcome.decisive.code.value})" if outcome.decisive is not None else ""
        problems.append(f"expected {spec.expect}, got {outcome.verdict.value}{why}")
    problems += [f"forbidden finding {code} is present" for code in spec.forbid if code in codes]
    problems += [
        f"required finding {code} is missing" for code in spec.require if code not in codes
    ]
    return result(Status.FAILED if problems else Status.PASSED, tuple(problems))


@dataclass(frozen=True, slots=True)
class Tally:
    passed: int = 0
    failed: int = 0
    unreachable: int = 0
    skipped: int = 0

    @classmethod
    def of(cls, results: list[CheckResult]) -> Tally:
        counts = {status: sum(r.status is status for r in results) for status in Status}
        return cls(
            counts[Status.PASSED],
            counts[Status.FAILED],
            counts[Status.UNREACHABLE],
            counts[Status.SKIPPED],
        )

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.unreachable + self.skipped

    def sentence(self) -> str:
        parts = [f"{self.passed} passed", f"{self.failed} failed"]
        if self.unreachable:
            parts.append(f"{self.unreachable} unreachable")
        if self.skipped:
            parts.append(f"{self.skipped} skipped")
        checks = "check" if self.total == 1 else "checks"
        return f"{self.total} {checks}: " + ", ".join(parts)


DRY_RUN_PROBLEM = "dry run: nothing was sent"

VERDICT_EXIT = {
    Verdict.ALLOWED: ExitCode.ALLOWED,
    Verdict.BLOCKED: ExitCode.BLOCKED,
    Verdict.INCOMPLETE: ExitCode.INCOMPLETE,
    Verdict.UNREACHABLE: ExitCode.UNREACHABLE,
}


SEVERITY = (Verdict.BLOCKED, Verdict.UNREACHABLE, Verdict.INCOMPLETE, Verdict.ALLOWED)
"""Verdicts from the worst: with several engines, the exit code is the worst one's."""


def report_exit_code(report: Report) -> ExitCode:
    """`check`'s and `simulate`'s exit code: the verdict's, the worst of every engine run
    (blocked, then unreachable, then incomplete: 1 when any engine blocks); a dry run exits 0
    unless it already knows the request is blocked (fetch() would refuse it before sending)."""
    verdicts = {engine.outcome.verdict for engine in report.engines}
    worst = next(v for v in SEVERITY if v in verdicts)
    if report.dry_run and worst is not Verdict.BLOCKED:
        return ExitCode.ALLOWED
    return VERDICT_EXIT[worst]


def exit_code(results: list[CheckResult], known: frozenset[str] = frozenset()) -> ExitCode:
    """1 if an expectation failed (other than the `known` ones, failing in the baseline too),
    else 3 if a target was unreachable, else 0."""
    tally = Tally.of(results)
    if tally.failed > len(known):
        return ExitCode.BLOCKED
    if tally.unreachable:
        return ExitCode.UNREACHABLE
    return ExitCode.ALLOWED


def failures_first(results: list[CheckResult]) -> list[CheckResult]:
    return sorted(results, key=lambda r: ORDER[r.status])


@dataclass(frozen=True, slots=True)
class Run:
    policy: PolicyFile
    results: list[CheckResult]
    started: str
    """ISO 8601, UTC, to the second; "" when not timed (a check shown as a run)."""
    seconds: float
    baseline: str | None = None
    """The --baseline file, when the run was compared with one."""
    changes: tuple[Change, ...] = ()
    known: frozenset[str] = frozenset()
    """Ids of checks failing in the baseline too, with nothing changed: reported, not counted."""

    def __repr__(self) -> str:
        """Short: asyncio puts the repr of a finished run's task (its result) into a message when
        it restores the SIGINT handler, and the full repr of 20,000 results cost ~30 MiB and a
        second of CPU at the end of a run."""
        return f"Run({self.policy.path!r}, {Tally.of(self.results).sentence()!r})"

    def counts(self, result: CheckResult) -> bool:
        """Whether a failure fails the run (it is not a known one)."""
        return result.status is Status.FAILED and result.spec.ident not in self.known

    def changes_of(self, result: CheckResult) -> list[Change]:
        return [c for c in self.changes if c.check == result.spec.ident]

    def exit_code(self) -> ExitCode:
        """1 if a check failed that the baseline did not know, else 3 if one was unreachable."""
        return exit_code(self.results, self.known)


def run_of(reports: Sequence[tuple[str, Report]]) -> Run:
    """Named reports as a run of checks that each expect `allowed`, with no policy file: how
    JUnit, SARIF and GitHub annotations see a `check`, a `simulate` or the demo's tour. A report
    of several engines (`Report.others`) is one check per engine, each named after it as a
    policy file's are (`spec.engine_named`: `name [firefox]`). A dry run not already known to be
    blocked is skipped."""
    results = []
    for name, report in reports:
        options = tuple(named(r.browser).option for r in report.engines)
        for engine, option in zip(report.engines, options, strict=True):
            shape = engine.shape
            spec = CheckSpec(
                engine_named(name, option, options),
                0,
                shape,
                shape.origin.serialise(),
                "allowed",
                browser=engine.browser,
            )
            result = evaluate(spec, engine)
            if engine.dry_run and result.got != Verdict.BLOCKED:
                # nothing was sent, so nothing passed: a CI line must not turn green on a dry run
                result = replace(result, status=Status.SKIPPED, problems=(DRY_RUN_PROBLEM,))
            results.append(result)
    seconds = sum(r.elapsed_ms for r in results) / 1000
    specs = tuple(r.spec for r in results)
    return Run(policy=PolicyFile("", specs), results=results, started="", seconds=seconds)
