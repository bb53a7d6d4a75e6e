"""Findings to a verdict: unreachable beats blocked beats incomplete beats allowed."""

from __future__ import annotations

import pytest

from cors_probe.codes import FindingCode as C
from cors_probe.model import Finding, Severity, Stage, Verdict
from cors_probe.policy.verdict import decide


def f(code: C, severity: Severity) -> Finding:
    return Finding(code, severity, Stage.ACTUAL)


CASES: list[tuple[str, list[Finding], Verdict, C | None]] = [
    ("nothing", [], Verdict.ALLOWED, None),
    ("warnings-only", [f(C.VARY_ORIGIN_MISSING, Severity.WARNING)], Verdict.ALLOWED, None),
    ("one-error", [f(C.ACAO_MISSING, Severity.ERROR)], Verdict.BLOCKED, C.ACAO_MISSING),
    (
        "first-error-decides",
        [
            f(C.VARY_ORIGIN_MISSING, Severity.WARNING),
            f(C.ACAO_MISMATCH, Severity.ERROR),
            f(C.ACAC_NOT_TRUE, Severity.ERROR),
        ],
        Verdict.BLOCKED,
        C.ACAO_MISMATCH,
    ),
    ("consent", [f(C.CONSENT_REQUIRED, Severity.INFO)], Verdict.INCOMPLETE, C.CONSENT_REQUIRED),
    (
        "error-beats-consent",
        [f(C.CONSENT_REQUIRED, Severity.INFO), f(C.HEADER_NOT_ALLOWED, Severity.ERROR)],
        Verdict.BLOCKED,
        C.HEADER_NOT_ALLOWED,
    ),
    (
        "unreachable-beats-all",
        [f(C.ACAO_MISSING, Severity.ERROR), f(C.UNREACHABLE, Severity.ERROR)],
        Verdict.UNREACHABLE,
        C.UNREACHABLE,
    ),
]


@pytest.mark.parametrize(
    ("findings", "verdict", "decisive"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_decide(findings: list[Finding], verdict: Verdict, decisive: C | None) -> None:
    got, finding = decide(findings)
    assert got is verdict
    assert (finding.code if finding else None) is decisive
