"""Findings to a verdict: allowed, blocked (by which decisive finding), incomplete, unreachable.

The conversation stops at the first blocking problem, exactly as the browser does, so the first
error-severity finding is the decisive one; every other finding is a warning or a note.
"""

from __future__ import annotations

from collections.abc import Sequence

from cors_probe.codes import FindingCode
from cors_probe.model import Finding, Severity, Verdict


def decide(findings: Sequence[Finding]) -> tuple[Verdict, Finding | None]:
    for finding in findings:
        if finding.code is FindingCode.UNREACHABLE:
            return Verdict.UNREACHABLE, finding
    for finding in findings:
        if finding.severity is Severity.ERROR:
            return Verdict.BLOCKED, finding
    for finding in findings:
        if finding.code is FindingCode.CONSENT_REQUIRED:
            return Verdict.INCOMPLETE, finding
    return Verdict.ALLOWED, None
