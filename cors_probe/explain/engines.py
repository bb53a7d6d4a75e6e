"""Words for engines that disagree: the side-by-side verdicts and the rule that splits them."""

from __future__ import annotations

from cors_probe.explain.catalogue import explain
from cors_probe.explain.triggers import describe_triggers
from cors_probe.model import Contrast, Finding, PreflightPlan, Report, Verdict

LABELS = {"chrome": "Chrome", "firefox": "Firefox", "safari": "Safari"}
"""Each engine's report key as reports name it."""


def label(name: str) -> str:
    """`chrome` -> `Chrome`; an unknown key is returned as given."""
    return LABELS.get(name, name)


def verdict_line(report: Report) -> str:
    """`Chrome: allowed · Firefox: blocked · Safari: blocked`, one entry per engine run; in a dry
    run, `not sent` unless the engine knows it blocks before sending anything."""

    def told(r: Report) -> str:
        if r.dry_run and r.outcome.verdict is not Verdict.BLOCKED:
            return "not sent (dry run)"
        return r.outcome.verdict.value

    return " · ".join(f"{label(r.browser)}: {told(r)}" for r in report.engines)


def _answered_differently(first: Report, other: Report) -> str | None:
    """How the server answered the same request of two engines differently, if it did: the
    first pair of exchanges (same kind, method and URL) whose status or CORS headers differ."""
    theirs = {
        (e.kind, e.request.method, e.request.url): e.response
        for e in other.outcome.exchanges
        if e.response is not None
    }
    for exchange in first.outcome.exchanges:
        mine = exchange.response
        answer = theirs.get((exchange.kind, exchange.request.method, exchange.request.url))
        if mine is None or answer is None:
            continue
        cors = [
            h
            for h in ("Access-Control-Allow-Origin", "Access-Control-Allow-Credentials")
            if mine.headers.get(h) != answer.headers.get(h)
        ]
        if mine.status != answer.status or cors:
            what = (
                f"status {mine.status} and {answer.status}" if mine.status != answer.status else ""
            )
            what = what or ", ".join(
                f"{h}: {mine.headers.get(h) or '(none)'} and {answer.headers.get(h) or '(none)'}"
                for h in cors
            )
            return (
                f"the server answered {label(first.browser)}'s and {label(other.browser)}'s "
                f"{exchange.kind.value} differently ({what}): it tells the engines apart, by "
                "User-Agent or another header they send"
            )
    return None


def _because(verdict: Verdict | None, decisive: Finding | None) -> str:
    if decisive is None or verdict is Verdict.ALLOWED:
        return ""
    return f" ({decisive.code.value}: {explain(decisive).title})"


def _preflight_split(name: str, plan: PreflightPlan, other: str, other_plan: PreflightPlan) -> str:
    if plan.required == other_plan.required:
        return ""
    sends, skips = (name, other) if plan.required else (other, name)
    reasons = describe_triggers(list((plan if plan.required else other_plan).triggers))
    return f"{label(sends)} sends a preflight and {label(skips)} does not ({reasons})"


def split(first: Report, other: Report) -> str | None:
    """The rule that splits two engines' verdicts, in words; None when they agree."""
    a, b = first.outcome, other.outcome
    if a.verdict is b.verdict:
        return None
    for engine in (first, other):
        decisive = engine.outcome.decisive
        if engine.outcome.verdict is Verdict.UNREACHABLE and decisive is not None:
            reason = decisive.detail.get("reason", "")
            return f"{label(engine.browser)} could not reach the server ({reason})"
    preflight = _preflight_split(first.browser, first.plan, other.browser, other.plan)
    if preflight:
        return preflight
    server = _answered_differently(first, other)
    if server is not None:
        return server
    blocked = other if b.verdict is Verdict.BLOCKED else first
    decisive = blocked.outcome.decisive
    if decisive is None:
        return f"{label(blocked.browser)}: {blocked.outcome.verdict.value}"
    return f"{label(blocked.browser)} applies {decisive.code.value}: {explain(decisive).title}"


def contrast(report: Report, seen: Contrast) -> str:
    """What an engine that was not run would do with the same answers, and why, in one line."""
    name, ran = label(seen.browser), label(report.browser)
    if seen.verdict is None:
        preflight = _preflight_split(seen.browser, seen.plan, report.browser, report.plan)
        unsent = seen.unsent
        request = f"{unsent.method} {unsent.url}" if unsent is not None else "another request"
        why = f"{preflight}; " if preflight else ""
        return (
            f"{name} may decide differently: {why}it would send {request}, which {ran} did not, "
            f"so its verdict depends on that answer (run with --browser all)."
        )
    preflight = _preflight_split(seen.browser, seen.plan, report.browser, report.plan)
    why = preflight or _because(seen.verdict, seen.decisive).strip(" ()")
    if not why and report.outcome.decisive is not None:
        why = f"{ran} applies {report.outcome.decisive.code.value}"
    return f"{name} would say {seen.verdict.value} on the same answers: {why}."
