"""The use case: run the browser's conversation against a live server and return a Report.

It owns the consent rule: an actual request whose method has side effects (anything but GET,
HEAD, OPTIONS) goes out only when `consent(request)` says yes; otherwise it is withheld and the
verdict is `incomplete`. The OPTIONS preflight is always safe to send. A dry run sends nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from cors_probe.errors import ProbeError
from cors_probe.model import Outcome, Report, RequestShape, WireRequest, WireResponse
from cors_probe.policy.conversation import DRY_RUN, Conversation, Reply, Send, converse

SendFn = Callable[[WireRequest], WireResponse]
Consent = Callable[[WireRequest], bool]
Progress = Callable[[Send], None]
Answer = Callable[[Send], Reply]


def _never(_: WireRequest) -> bool:
    return False


def drive(flow: Conversation, answer: Answer) -> Outcome:
    """Run the conversation to its end, answering each step with `answer(step)`."""
    try:
        step = next(flow)
        while True:
            step = flow.send(answer(step))
    except StopIteration as stop:
        outcome: Outcome = stop.value
        return outcome


def run(
    shape: RequestShape,
    send: SendFn,
    *,
    consent: Consent = _never,
    progress: Progress | None = None,
) -> Report:
    """Drive the conversation; `send` returns a WireResponse or raises ProbeError.

    A request with side effects goes out only when `consent` (asked once, for the first such
    request) says yes; otherwise the conversation is told it was not sent.
    """
    granted: bool | None = None

    def answer(step: Send) -> Reply:
        nonlocal granted
        if progress is not None:
            progress(step)
        if step.needs_consent:
            if granted is None:
                granted = consent(step.request)
            if not granted:
                return None
        try:
            return send(step.request)
        except ProbeError as error:
            return error.as_failure()

    outcome = drive(converse(shape), answer)
    return Report(shape=shape, plan=outcome.plan, outcome=outcome)


def _dry(_: Send) -> Reply:
    return DRY_RUN


def dry_run(shape: RequestShape) -> Report:
    """The exact requests a browser would send first, with nothing sent: the same conversation,
    told of every request that it was not sent (a dry run), up to the first actual request."""
    outcome = drive(converse(shape), _dry)
    return Report(shape=shape, plan=outcome.plan, outcome=outcome, dry_run=True)
