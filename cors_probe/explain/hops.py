"""The preflight question per URL of a fetch, in words: a report must never say "not needed"
beside a preflight it sent after a redirect (https://fetch.spec.whatwg.org/#http-redirect-fetch
runs the whole HTTP fetch again at the new URL, preflight included)."""

from __future__ import annotations

from collections.abc import Sequence

from cors_probe.explain.triggers import describe_triggers
from cors_probe.model import HopPreflight, Trigger


def _where(hop: HopPreflight) -> str:
    return f"at {hop.url}" if hop.hop == 0 else f"after redirect {hop.hop}, at {hop.url}"


def _answer(hop: HopPreflight, triggers: Sequence[Trigger]) -> str:
    if not hop.cors:
        return "not needed (same-origin: CORS does not apply)"
    if hop.plan.required:
        reasons = describe_triggers(triggers)
        return f"required; {reasons}" if reasons else "required"
    return "not needed (safelisted method and headers)"


def varies(hops: Sequence[HopPreflight]) -> bool:
    """Whether the URLs of the fetch differ in the preflight question (one line is not enough)."""
    return len({(h.cors, h.plan.required, h.plan.triggers) for h in hops}) > 1


def hop_lines(
    hops: Sequence[HopPreflight], triggers: Sequence[Sequence[Trigger]] | None = None
) -> list[str]:
    """One line per URL: where, then "required; preflight needed because ..." or why not.
    `triggers` replaces each hop's triggers (masked for output), in the same order."""
    shown = triggers if triggers is not None else [h.plan.triggers for h in hops]
    return [f"{_where(h)}: {_answer(h, t)}" for h, t in zip(hops, shown, strict=True)]


def single_line(hop: HopPreflight, triggers: Sequence[Trigger]) -> str:
    """The answer for a fetch whose URLs all answer alike, as the one `Preflight:` line says it."""
    return _answer(hop, triggers)
