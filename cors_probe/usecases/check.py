"""The use case: run the browser's conversation against a live server and return a Report.

It owns the consent rule: an actual request whose method has side effects (anything but GET,
HEAD, OPTIONS) goes out only when `consent(request)` says yes; otherwise it is withheld and the
verdict is `incomplete`. The OPTIONS preflight is always safe to send. A dry run sends nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from cors_probe.errors import ProbeError
from cors_probe.model import (
    Exchange,
    ExchangeKind,
    Outcome,
    PreflightPlan,
    Report,
    RequestShape,
    WireRequest,
    WireResponse,
)
from cors_probe.policy.conversation import Prepared, Reply, Send, actual_request, converse, prepare
from cors_probe.policy.verdict import decide

SendFn = Callable[[WireRequest], WireResponse]
Consent = Callable[[WireRequest], bool]
Progress = Callable[[Send], None]


def _never(_: WireRequest) -> bool:
    return False


def run(
    shape: RequestShape,
    send: SendFn,
    *,
    consent: Consent = _never,
    progress: Progress | None = None,
) -> Report:
    """Drive the conversation; `send` returns a WireResponse or raises ProbeError."""
    flow = converse(shape)
    granted: bool | None = None
    try:
        step = next(flow)
        while True:
            if progress is not None:
                progress(step)
            reply: Reply
            if step.needs_consent:
                if granted is None:
                    granted = consent(step.request)
                if not granted:
                    step = flow.send(None)
                    continue
            try:
                reply = send(step.request)
            except ProbeError as error:
                reply = error.as_failure()
            step = flow.send(reply)
    except StopIteration as stop:
        outcome: Outcome = stop.value
    prepared = prepare(shape)
    plan = prepared.plan if isinstance(prepared, Prepared) else PreflightPlan(required=False)
    return Report(shape=shape, plan=plan, outcome=outcome)


def dry_run(shape: RequestShape) -> Report:
    """The exact requests a browser would send first, with nothing sent."""
    prepared = prepare(shape)
    if isinstance(prepared, Outcome):
        return Report(
            shape=shape, plan=PreflightPlan(required=False), outcome=prepared, dry_run=True
        )
    exchanges: list[Exchange] = []
    if prepared.plan.request is not None:
        exchanges.append(Exchange(ExchangeKind.PREFLIGHT, prepared.plan.request, withheld=True))
    request = actual_request(
        shape,
        prepared.url.serialise(),
        prepared.method,
        prepared.headers,
        prepared.body,
        cors=prepared.cors,
        request_origin=shape.origin.serialise(),
    )
    exchanges.append(Exchange(ExchangeKind.ACTUAL, request, withheld=True))
    verdict, decisive = decide(prepared.notes)
    outcome = Outcome(verdict, prepared.notes, tuple(exchanges), decisive)
    return Report(shape=shape, plan=prepared.plan, outcome=outcome, dry_run=True)
