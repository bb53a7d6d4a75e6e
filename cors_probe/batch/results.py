"""A check's report against its expectation (passed, failed and why, unreachable, skipped), and
the run's exit code."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cors_probe.batch.options import Unreachable
from cors_probe.batch.spec import CheckSpec
from cors_probe.exitcodes import ExitCode
from cors_probe.model import Finding, Report, Verdict


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
    decisive: Finding | None
    elapsed_ms: float
    """The round trips' time, summed."""

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.code.value for f in self.findings))

    @property
    def problem_finding(self) -> Finding | None:
        """The finding a failure is about: the decisive one, else the first forbidden present."""
        if self.decisive is not None and self.got != self.spec.expect:
            return self.decisive
        for finding in self.findings:
            if finding.code.value in self.spec.forbid:
                return finding
        return self.decisive


def evaluate(
    spec: CheckSpec, report: Report, unreachable: Unreachable = Unreachable.ERROR
) -> CheckResult:
    outcome = report.outcome
    elapsed = sum(e.response.elapsed_ms for e in outcome.exchanges if e.response is not None)

    def result(status: Status, problems: tuple[str, ...]) -> CheckResult:
        return CheckResult(
            spec,
            status,
            problems,
            outcome.verdict.value,
            outcome.findings,
            outcome.decisive,
            elapsed,
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
    codes = {f.code.value for f in outcome.findings}
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
