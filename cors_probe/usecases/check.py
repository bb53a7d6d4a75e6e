"""The use case: run the browser's conversation against a live server and return a Report.

It owns the consent rule: an actual request whose method has side effects (anything but GET,
HEAD, OPTIONS) goes out only when `consent(request)` says yes; otherwise it is withheld and the
verdict is `incomplete`. Consent is per origin: a yes for the first URL does not cover a 307/308
redirect that carries the request to another origin (`consent` is asked again, for that
request). The OPTIONS preflight is always safe to send. A dry run sends nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from cors_probe.errors import ProbeError
from cors_probe.model import (
    FailureKind,
    Outcome,
    Report,
    RequestShape,
    Verdict,
    WireRequest,
    WireResponse,
)
from cors_probe.policy.browsers import CHROMIUM, Browser
from cors_probe.policy.conversation import DRY_RUN, Reply, Send, converse, drive
from cors_probe.policy.gates import Resolve
from cors_probe.policy.url import UrlError, parse_url
from cors_probe.usecases.engines import Shared, agreeing, contrasts, replays

SendFn = Callable[[WireRequest], WireResponse]


class TimedSendFn(Protocol):
    """A send that takes each request's time-out, in seconds (None: its own), as `Prober.send`."""

    def __call__(self, request: WireRequest, timeout: float | None = None) -> WireResponse: ...


@dataclass(frozen=True)
class Timed:
    """A SendFn whose requests take `timeout` seconds each, said so: under a conversation
    deadline (`run(..., deadline=)`) a request is given only what is left of the deadline when
    that is less, so that it cannot run on past it. Called as a SendFn: `send` with `timeout`."""

    send: TimedSendFn
    timeout: float

    def __call__(self, request: WireRequest) -> WireResponse:
        return self.send(request, timeout=self.timeout)


Consent = Callable[[WireRequest], bool]
Progress = Callable[[Send], None]
Answer = Callable[[Send], Reply]


def _never(_: WireRequest) -> bool:
    return False


def run(
    shape: RequestShape,
    send: SendFn,
    *,
    browsers: Sequence[Browser] = (CHROMIUM,),
    consent: Consent = _never,
    progress: Progress | None = None,
    deadline: float | None = None,
    clock: Callable[[], float] = time.monotonic,
    cache_probe: float | None = None,
    resolve: Resolve | None = None,
) -> Report:
    """Drive each engine's conversation in turn; `send` returns a WireResponse or raises
    ProbeError. The Report is the first engine's, the others' in `Report.others`; a request two
    engines would send byte for byte alike is sent once (engines.Shared). With fewer than all
    engines, `Report.contrasts` names the others that would decide differently on the same
    answers (engines.contrasts).

    `deadline`: seconds (on `clock`) the whole check may take, every engine's preflight and
    redirects included; once it has passed no further request is sent and the check fails as a
    time-out naming it. When `send` is `Timed`, each request's time-out is cut to what is left
    of the deadline; any other send's request keeps its own time-out.

    A request with side effects goes out only when `consent` says yes; it is asked once per origin
    (the first such request to it), so a redirect to another origin is asked about again.
    Otherwise the conversation is told it was not sent.

    `cache_probe`: when given, seconds for cors-probe's own comparison requests after the
    conversation (usecases/caches.py), sent through the same `send`: `Report.cache`.
    `resolve` (host name -> address) lets the Local Network Access gate classify a URL's host
    before its request is sent (conversation.converse).
    """
    granted: dict[str, bool] = {}
    shared = Shared()
    own = send  # the cache probe's requests are not under the conversation's deadline

    if deadline is not None:
        send = within(send, deadline, clock)

    def transmit(request: WireRequest) -> Reply:
        try:
            return send(request)
        except ProbeError as error:
            return error.as_failure()

    def answering(engine: str) -> Answer:
        def answer(step: Send) -> Reply:
            if progress is not None:
                progress(step)
            if step.needs_consent:
                origin = _origin(step.request.url)
                if origin not in granted:
                    granted[origin] = consent(step.request)
                if not granted[origin]:
                    return None
            return shared(engine, step.request, transmit, step.needs_consent)

        return answer

    ran = [(b, drive(converse(shape, b, resolve), answering(b.name))) for b in browsers]
    report = _report(shape, ran, dry_run=False)
    if cache_probe is None or any(r.outcome.verdict is Verdict.UNREACHABLE for r in report.engines):
        return report
    from cors_probe.usecases.caches import probe

    bounded = within(own, cache_probe, clock)
    return replace(report, cache=probe(report, bounded, seconds=cache_probe, clock=clock))


def _report(shape: RequestShape, ran: list[tuple[Browser, Outcome]], *, dry_run: bool) -> Report:
    replayed = replays(shape, ran)
    reports = [
        Report(shape=shape, plan=o.plan, outcome=o, dry_run=dry_run, browser=b.name, agreeing=a)
        for (b, o), a in zip(ran, agreeing(ran, replayed), strict=True)
    ]
    return replace(
        reports[0], others=tuple(reports[1:]), contrasts=contrasts(shape, ran, replayed, dry_run)
    )


def _origin(url: str) -> str:
    """The serialised origin consent is given to; the whole URL when it does not parse (an opaque
    origin is never the same as another)."""
    parsed = parse_url(url)
    if isinstance(parsed, UrlError) or parsed.origin().opaque:
        return url
    return parsed.origin().serialise()


DEADLINE_FACTOR = 3
"""A conversation's default deadline, in request time-outs (`--deadline`'s default)."""


def default_deadline(timeout: float, deadline: float | None = None) -> float:
    """`--deadline` when given, else DEADLINE_FACTOR x the request time-out."""
    return deadline if deadline is not None else DEADLINE_FACTOR * timeout


def within(send: SendFn, seconds: float, clock: Callable[[], float] = time.monotonic) -> SendFn:
    """`send` under a conversation deadline of `seconds` from now on `clock`: no request is
    started once it has passed, a `Timed` send's request is given at most what is left of it,
    and a time-out that ends past it is told as the deadline's."""
    started = clock()
    redirects = 0
    timed = send if isinstance(send, Timed) else None

    def expired(error: ProbeError | None = None) -> ProbeError:
        after = f" after {redirects} redirect{'s' if redirects != 1 else ''}" if redirects else ""
        cause = f" ({error.message})" if error is not None else ""
        message = f"the conversation's deadline of {seconds:g} s passed{after}{cause}"
        return ProbeError(FailureKind.TIMEOUT, message)

    def bounded(request: WireRequest) -> WireResponse:
        nonlocal redirects
        left = seconds - (clock() - started)
        if left <= 0:
            raise expired()
        cut = timed is not None and left < timed.timeout
        try:
            if timed is not None and cut:
                response = timed.send(request, timeout=left)
            else:
                response = send(request)
        except ProbeError as error:
            if error.kind is FailureKind.TIMEOUT and cut:  # its time-out was the deadline's
                raise expired() from error
            if error.kind is FailureKind.TIMEOUT and clock() - started >= seconds:
                raise expired(error) from error
            raise
        if 300 <= response.status < 400:
            redirects += 1
        return response

    return bounded


def _dry(_: Send) -> Reply:
    return DRY_RUN


def dry_run(
    shape: RequestShape, browsers: Sequence[Browser] = (CHROMIUM,), resolve: Resolve | None = None
) -> Report:
    """The exact requests each engine would send first, with nothing sent: the same
    conversations, told of every request that it was not sent (a dry run), up to the first
    actual request. `resolve` as in `run` (resolving a name sends no HTTP request)."""
    ran = [(browser, drive(converse(shape, browser, resolve), _dry)) for browser in browsers]
    return _report(shape, ran, dry_run=True)
