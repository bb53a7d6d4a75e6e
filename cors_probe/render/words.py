"""The words every format shares about a check: its title, and what went wrong in full."""

from __future__ import annotations

from cors_probe.explain.catalogue import explain
from cors_probe.usecases.results import CheckResult, Status


def title(result: CheckResult) -> str:
    """`name · origin · METHOD url`: unique within a run, and the same in every format."""
    spec = result.spec
    return f"{spec.name} · {spec.origin_name} · {spec.shape.method} {spec.shape.url}"


def headline(result: CheckResult) -> str:
    """One line: what was expected and what happened."""
    if result.status in (Status.UNREACHABLE, Status.SKIPPED):
        return result.problems[0] if result.problems else result.status.value
    return "; ".join(result.problems) or f"{result.got}, as expected"


def details(result: CheckResult) -> list[str]:
    """The failure in full: each problem, the decisive finding, Chrome's console line, the fix."""
    spec = result.spec
    origin = spec.shape.origin.serialise()
    named = spec.origin_name if spec.origin_name == origin else f"{spec.origin_name} ({origin})"
    lines = [f"{named} {spec.shape.method} {spec.shape.url}"]
    lines += [f"- {p}" for p in result.problems]
    finding = result.problem_finding
    if finding is not None and result.status is not Status.UNREACHABLE:
        words = explain(finding)
        lines.append(f"{finding.code.value}: {words.title}")
        if words.chrome:
            lines.append(f"Chrome: {words.chrome}")
        lines.append(f"Fix: {words.fix}")
    return lines
