"""The words every format shares about a check: its title, and what went wrong in full."""

from __future__ import annotations

from cors_probe.explain.catalogue import explain
from cors_probe.explain.console import console_lines
from cors_probe.explain.engines import label
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


def let_in(result: CheckResult) -> list[str]:
    """Why a check expecting `blocked` got `allowed`, and how to stop it: no finding says it (to
    the engine, an allowed request is no problem)."""
    spec = result.spec
    if result.status is not Status.FAILED or (spec.expect, result.got) != ("blocked", "allowed"):
        return []
    origin = spec.shape.origin.serialise()
    request = f"{spec.shape.method} {spec.shape.url}"
    value = result.allowed_by
    if value is None:
        return [f"The server allowed origin {origin} to read {request}."]
    lines = [
        f"The server allowed origin {origin} to read {request} "
        f"(it answered Access-Control-Allow-Origin: {value})."
    ]
    if value.strip() == "*":
        lines.append(
            "Fix: stop answering `*` on this resource: send Access-Control-Allow-Origin only "
            "for the origins on your allow-list, echoing the request's Origin (and Vary: Origin)."
        )
    else:
        lines.append(
            "Fix: stop answering this origin: send Access-Control-Allow-Origin only for the "
            "origins on your allow-list (and Vary: Origin)."
        )
    return lines


def details(result: CheckResult) -> list[str]:
    """The failure in full: each problem, the decisive finding, the console lines of the engine
    the check ran in, the fix; for a request let in that should not be, who let it in and how to
    stop it."""
    spec = result.spec
    origin = spec.shape.origin.serialise()
    named = spec.origin_name if spec.origin_name == origin else f"{spec.origin_name} ({origin})"
    lines = [f"{named} {spec.shape.method} {spec.shape.url}"]
    lines += [f"- {p}" for p in result.problems]
    lines += let_in(result)
    finding = result.problem_finding
    if finding is not None and result.status is not Status.UNREACHABLE:
        words = explain(finding)
        lines.append(f"{finding.code.value}: {words.title}")
        engine = spec.browser
        for line in console_lines(finding, words)[engine]:
            lines.append(f"{label(engine)}: {line}")
        lines.append(f"Fix: {words.fix}")
    return lines
