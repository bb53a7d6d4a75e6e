"""Several engines on one check: the requests they share, and what the engines not run would do.

`--browser all` runs each engine's own conversation. A request two engines would send alike,
byte for byte (method, URL, every header, body), goes out once and its answer serves both
(`Shared`). Engines send different User-Agent, Accept-Language and client hints, so in practice
the engines share little; that is the point: a server may answer them differently.

With one engine, `contrasts` replays the answers it received through the others' conversations:
an engine that would decide otherwise is named with its verdict and the rule, or, when it would
send a request the run did not (Firefox and Safari preflight a client hint Chromium does not),
with that request, so the user knows to run `--browser all`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from cors_probe.model import (
    Contrast,
    Exchange,
    ExchangeKind,
    Outcome,
    RequestShape,
    WireRequest,
    WireResponse,
)
from cors_probe.policy.browsers import BROWSERS, Browser
from cors_probe.policy.conversation import Conversation, Reply, Send, converse, prepare

Key = tuple[str, str, tuple[tuple[str, str], ...], bytes | None]


def key(request: WireRequest) -> Key:
    """What makes two requests the same request: method, URL, header pairs in order, body."""
    return request.method, request.url, request.headers.pairs, request.body


class Shared:
    """Answers already received, by request `key` and occurrence: the n-th request an engine
    sends that another engine sent byte for byte alike as its n-th such request is not sent
    again (a redirect loop repeats one request; each repetition is still sent once)."""

    def __init__(self) -> None:
        self._answers: dict[tuple[Key, int], Reply] = {}
        self._counts: dict[tuple[str, Key], int] = {}

    def __call__(
        self, engine: str, request: WireRequest, send: Callable[[WireRequest], Reply]
    ) -> Reply:
        found = key(request)
        occurrence = self._counts.get((engine, found), 0)
        self._counts[(engine, found)] = occurrence + 1
        if (found, occurrence) not in self._answers:
            self._answers[(found, occurrence)] = send(request)
        return self._answers[(found, occurrence)]


class _Unknown(Exception):
    def __init__(self, request: WireRequest) -> None:
        super().__init__(request.url)
        self.request = request


def _answered(exchanges: Sequence[Exchange]) -> dict[tuple[ExchangeKind, str, str], WireResponse]:
    """Each response received, by (kind, method, URL): what an engine's same request would get."""
    table: dict[tuple[ExchangeKind, str, str], WireResponse] = {}
    for exchange in exchanges:
        if exchange.response is not None:
            where = (exchange.kind, exchange.request.method, exchange.request.url)
            table.setdefault(where, exchange.response)
    return table


def replay(
    shape: RequestShape, browser: Browser, exchanges: Sequence[Exchange]
) -> Outcome | WireRequest:
    """`browser`'s outcome when each of its requests gets the answer the same kind of request
    (method, URL) got in `exchanges`; the first request it would send that has no such answer
    when there is one (its verdict then depends on an answer nobody asked for)."""
    answers = _answered(exchanges)
    flow: Conversation = converse(shape, browser)

    def answer(step: Send) -> Reply:
        found = answers.get((step.kind, step.request.method, step.request.url))
        if found is None:
            raise _Unknown(step.request)
        return found

    try:
        step = next(flow)
        while True:
            step = flow.send(answer(step))
    except StopIteration as stop:
        outcome: Outcome = stop.value
        return outcome
    except _Unknown as unknown:
        return unknown.request


def contrasts(
    shape: RequestShape, ran: Sequence[tuple[Browser, Outcome]], dry_run: bool = False
) -> tuple[Contrast, ...]:
    """The engines not in `ran` that would decide otherwise than the first engine run, or whose
    verdict the answers cannot tell because they would send a request the run did not.

    Nothing for a dry run (no answers) or when every engine was run."""
    if dry_run or not ran:
        return ()
    first = ran[0][1]
    done = {browser.name for browser, _ in ran}
    found: list[Contrast] = []
    for browser in BROWSERS:
        if browser.name in done:
            continue
        result = replay(shape, browser, first.exchanges)
        if isinstance(result, WireRequest):
            plan = prepare(shape, browser).plan
            found.append(Contrast(browser.name, None, plan, unsent=result))
        elif result.verdict is not first.verdict:
            found.append(Contrast(browser.name, result.verdict, result.plan, result.decisive))
    return tuple(found)
