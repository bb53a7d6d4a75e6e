"""The use case: run the browser's conversation against a live server and return a Report.

It owns the consent rule: an actual request whose method has side effects (anything but GET,
HEAD, OPTIONS) goes out only when `consent(request)` says yes; otherwise it is withheld and the
verdict is `incomplete`. Consent is per origin: a yes for the first URL does not cover a 307/308
redirect that carries the request to another origin (`consent` is asked again, for that
request). The OPTIONS preflight is always safe to send. A dry run sends nothing.

The check itself is one sans-I/O generator, `steps`: it yields each request to send (`Outgoing`,
with its time-out) and is sent the answer, a WireResponse or the ProbeError that stood for it.
`run` drives it with a synchronous send (`check`, `simulate`), `arun` with an async one (`run`).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Generator, Sequence
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
from cors_probe.policy.url import Url, UrlError, parse_url
from cors_probe.usecases.engines import Shared, agreeing, contrasts, replays

SendFn = Callable[[WireRequest], WireResponse]


class TimedSendFn(Protocol):
    """A send that takes each request's time-out, in seconds (None: its own), as `Prober.send`."""

    def __call__(self, request: WireRequest, timeout: float | None = None) -> WireResponse: ...


AsyncTimedSend = Callable[[WireRequest, float | None], Awaitable[WireResponse]]
"""An async send: `await send(request, timeout)` (seconds; None: its own), as `AsyncProber.send`;
raises ProbeError when no response came."""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A request the check sends next, with its time-out in seconds (None: the send's own)."""

    request: WireRequest
    timeout: float | None


Answered = WireResponse | ProbeError
Steps = Generator[Outgoing, Answered, Report]
"""A check as a generator: yields `Outgoing`, is sent each one's answer, returns the Report."""


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


def steps(
    shape: RequestShape,
    *,
    browsers: Sequence[Browser] = (CHROMIUM,),
    consent: Consent = _never,
    progress: Progress | None = None,
    deadline: float | None = None,
    timeout: float | None = None,
    clock: Callable[[], float] = time.monotonic,
    resolve: Resolve | None = None,
    compare: bool = True,
) -> Steps:
    """The whole check, sans I/O: each engine's conversation in turn (engines.Shared: a request
    two engines would send alike goes out once), consent asked once per origin, `progress`
    told of each step. Yields `Outgoing(request, timeout)`; is sent the WireResponse, or the
    ProbeError the send raised; returns the Report (the first engine's, the others in
    `Report.others`, `Report.contrasts` for the engines not run).

    `timeout`: each request's time-out in seconds (None: the send's own). `deadline`: seconds
    (on `clock`, from the first step) the whole check may take: once passed no request is
    yielded and the conversation is told of a time-out naming it; a request's `timeout` is cut
    to what is left of it (`Deadline`). Arguments as `run`'s."""
    granted: dict[str, bool] = {}
    shared = Shared()
    limit = Deadline(deadline, clock) if deadline is not None else None

    def transmit(request: WireRequest) -> Generator[Outgoing, Answered, Reply]:
        budget, cut = timeout, False
        if limit is not None:
            try:
                budget, cut = limit.share(timeout)
            except ProbeError as error:
                return error.as_failure()
        answer = yield Outgoing(request, budget)
        if isinstance(answer, ProbeError):
            return (limit.failed(answer, cut) if limit is not None else answer).as_failure()
        if limit is not None:
            limit.received(answer)
        return answer

    def answer(engine: str, step: Send) -> Generator[Outgoing, Answered, Reply]:
        if progress is not None:
            progress(step)
        if step.needs_consent:
            origin = _origin(step.request.url, shape.parsed_url)
            if origin not in granted:
                granted[origin] = consent(step.request)
            if not granted[origin]:
                return None
        slot = shared.slot(engine, step.request, step.needs_consent)
        if not shared.has(slot):
            shared.keep(slot, (yield from transmit(step.request)))
        return shared.answer(slot)

    ran: list[tuple[Browser, Outcome]] = []
    for browser in browsers:
        flow = converse(shape, browser, resolve)
        reply: Reply = None
        try:
            step = next(flow)
            while True:
                reply = yield from answer(browser.name, step)
                step = flow.send(reply)
        except StopIteration as stop:
            ran.append((browser, stop.value))
    return _report(shape, ran, dry_run=False, compare=compare)


def _advance(flow: Steps, answer: Answered | None) -> Outgoing | Report:
    """The check's next request, or its Report once it has none (`answer` None: the first)."""
    try:
        return next(flow) if answer is None else flow.send(answer)
    except StopIteration as stop:
        report: Report = stop.value
        return report


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

    The check is `steps`; this drives it synchronously (`arun` asynchronously).
    """
    timed = send if isinstance(send, Timed) else None
    flow = steps(
        shape,
        browsers=browsers,
        consent=consent,
        progress=progress,
        deadline=deadline,
        timeout=timed.timeout if timed is not None else None,
        clock=clock,
        resolve=resolve,
    )

    def transmit(out: Outgoing) -> WireResponse:
        if timed is not None:
            return timed.send(out.request, timeout=out.timeout)
        return send(out.request)

    answer: Answered | None = None
    while not isinstance(out := _advance(flow, answer), Report):
        try:
            answer = transmit(out)
        except ProbeError as error:
            answer = error
    report = out
    if cache_probe is None or any(r.outcome.verdict is Verdict.UNREACHABLE for r in report.engines):
        return report
    from cors_probe.usecases.caches import probe

    # the cache probe's requests are not under the conversation's deadline
    bounded = within(send, cache_probe, clock)
    return replace(report, cache=probe(report, bounded, seconds=cache_probe, clock=clock))


async def arun(
    shape: RequestShape,
    send: AsyncTimedSend,
    *,
    browsers: Sequence[Browser] = (CHROMIUM,),
    consent: Consent = _never,
    progress: Progress | None = None,
    deadline: float | None = None,
    timeout: float | None = None,
    clock: Callable[[], float] = time.monotonic,
    resolve: Resolve | None = None,
    compare: bool = True,
) -> Report:
    """`run`, with an async send: `await send(request, timeout)` returns a WireResponse or raises
    ProbeError; `timeout` is each request's (seconds; None: the send's own), cut to what is left
    of `deadline`. No cache probe (`cors-probe run` sends none). The same Report as `run` for the
    same answers: both drive `steps`. `compare=False`: no replay of the engines not run, so no
    `Report.contrasts` and `agreeing` only among `browsers` (a run whose outputs show no report
    skips about a fifth of a check's CPU)."""
    flow = steps(
        shape,
        browsers=browsers,
        consent=consent,
        progress=progress,
        deadline=deadline,
        timeout=timeout,
        clock=clock,
        resolve=resolve,
        compare=compare,
    )
    answer: Answered | None = None
    while not isinstance(out := _advance(flow, answer), Report):
        try:
            answer = await send(out.request, out.timeout)
        except ProbeError as error:
            answer = error
    return out


def _report(
    shape: RequestShape, ran: list[tuple[Browser, Outcome]], *, dry_run: bool, compare: bool = True
) -> Report:
    """The first engine's Report, the others in `others`; with `compare`, the engines not run
    replayed on its answers (`contrasts`, `agreeing`)."""
    replayed = replays(shape, ran) if compare else {}
    ((browser, own), agree), *rest = zip(ran, agreeing(ran, replayed), strict=True)
    others = tuple(
        Report(shape=shape, plan=o.plan, outcome=o, dry_run=dry_run, browser=b.name, agreeing=a)
        for (b, o), a in rest
    )
    return Report(
        shape=shape,
        plan=own.plan,
        outcome=own,
        dry_run=dry_run,
        browser=browser.name,
        agreeing=agree,
        others=others,
        contrasts=contrasts(shape, ran, replayed, dry_run) if compare else (),
    )


def _origin(url: str, known: Url | None = None) -> str:
    """The serialised origin consent is given to; the whole URL when it does not parse (an opaque
    origin is never the same as another). `known`: a parsed URL (the shape's), used when `url`
    is its text (the first hop's request), so that it is not parsed again."""
    parsed = known if known is not None and known.serialise() == url else parse_url(url)
    if isinstance(parsed, UrlError) or parsed.origin().opaque:
        return url
    return parsed.origin().serialise()


DEADLINE_FACTOR = 3
"""A conversation's default deadline, in request time-outs (`--deadline`'s default)."""


def default_deadline(timeout: float, deadline: float | None = None) -> float:
    """`--deadline` when given, else DEADLINE_FACTOR x the request time-out."""
    return deadline if deadline is not None else DEADLINE_FACTOR * timeout


class Deadline:
    """A conversation deadline of `seconds` from now on `clock`: what is left of it for each
    request, and the time-out that tells it passed (naming the redirects followed so far)."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._started = clock()
        self._redirects = 0

    def expired(self, error: ProbeError | None = None) -> ProbeError:
        """The time-out that says the deadline passed (after how many redirects; `error`'s
        message in brackets when a request's own time-out ended past it)."""
        n = self._redirects
        after = f" after {n} redirect{'s' if n != 1 else ''}" if n else ""
        cause = f" ({error.message})" if error is not None else ""
        message = f"the conversation's deadline of {self.seconds:g} s passed{after}{cause}"
        return ProbeError(FailureKind.TIMEOUT, message)

    def share(self, timeout: float | None) -> tuple[float | None, bool]:
        """(the next request's time-out in seconds, whether it was cut to what is left of the
        deadline): `timeout` (None: the send's own) unless less is left. Raises the deadline's
        ProbeError when nothing is left: no request may start."""
        left = self.seconds - (self._clock() - self._started)
        if left <= 0:
            raise self.expired()
        if timeout is not None and left < timeout:
            return left, True
        return timeout, False

    def failed(self, error: ProbeError, cut: bool) -> ProbeError:
        """What a request's ProbeError tells: a time-out that was the deadline's (`cut`), or that
        ended past it, is the deadline's; any other error stays itself."""
        if error.kind is FailureKind.TIMEOUT and cut:
            return self.expired()
        if error.kind is FailureKind.TIMEOUT and self._clock() - self._started >= self.seconds:
            return self.expired(error)
        return error

    def received(self, response: WireResponse) -> None:
        """Count a redirect (for the deadline's message)."""
        if 300 <= response.status < 400:
            self._redirects += 1


def within(send: SendFn, seconds: float, clock: Callable[[], float] = time.monotonic) -> SendFn:
    """`send` under a conversation deadline of `seconds` from now on `clock`: no request is
    started once it has passed, a `Timed` send's request is given at most what is left of it,
    and a time-out that ends past it is told as the deadline's (`Deadline`)."""
    limit = Deadline(seconds, clock)
    timed = send if isinstance(send, Timed) else None

    def bounded(request: WireRequest) -> WireResponse:
        budget, cut = limit.share(timed.timeout if timed is not None else None)
        try:
            response = timed.send(request, timeout=budget) if timed is not None else send(request)
        except ProbeError as error:
            told = limit.failed(error, cut)
            if told is error:
                raise
            raise told from error
        limit.received(response)
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
