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
    """`Chrome: allowed · Firefox: blocked · Safari: blocked`, one entry per engine run."""
    return " · ".join(f"{label(r.browser)}: {r.outcome.verdict.value}" for r in report.engines)


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
    preflight = _preflight_split(first.browser, first.plan, other.browser, other.plan)
    if preflight:
        return preflight
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
