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

from collections.abc import Mapping, Sequence

from cors_probe.model import (
    Contrast,
    Exchange,
    ExchangeKind,
    Outcome,
    RequestShape,
    TransportFailure,
    WireRequest,
    WireResponse,
)
from cors_probe.policy.browsers import BROWSERS, Browser, named
from cors_probe.policy.conversation import Reply, Send, converse, drive, prepare

Key = tuple[str, str, tuple[tuple[str, str], ...], bytes | None]
Slot = tuple[Key, int]
"""A request's key and its occurrence among one engine's requests with that key."""


def key(request: WireRequest, *, side_effects: bool = False) -> Key:
    """What makes two requests the same request: method, URL, header pairs in order, body. A
    request with side effects is the same request whatever its headers: it is sent once, as the
    first engine sends it, and the other engines are judged on that answer (after a redirect the
    engines' requests differ in more than their identity headers: Fetch Metadata, the headers a
    redirect keeps), never a second PUT because a second engine asked a little differently."""
    if not side_effects:
        return request.method, request.url, request.headers.pairs, request.body
    return request.method, request.url, (), request.body


class Shared:
    """Answers already received, by request `key` and occurrence: the n-th request an engine
    sends that another engine sent alike as its n-th such request is not sent again (a redirect
    loop repeats one request; each repetition is still sent once). Alike is byte for byte, but
    for a request with side effects, which goes out once whatever the engines' identity headers
    (`key`): one POST, not one per engine."""

    def __init__(self) -> None:
        self._answers: dict[Slot, Reply] = {}
        self._counts: dict[tuple[str, Key], int] = {}

    def slot(self, engine: str, request: WireRequest, side_effects: bool = False) -> Slot:
        """Where `engine`'s request's answer is kept: its `key` and occurrence (this call counts
        it as `engine`'s next such request). For a caller that sends itself (check.steps)."""
        found = key(request, side_effects=side_effects)
        occurrence = self._counts.get((engine, found), 0)
        self._counts[(engine, found)] = occurrence + 1
        return found, occurrence

    def has(self, slot: Slot) -> bool:
        """Whether an engine already received the answer for `slot`."""
        return slot in self._answers

    def answer(self, slot: Slot) -> Reply:
        """The answer kept for `slot` (KeyError when there is none: see `has`)."""
        return self._answers[slot]

    def keep(self, slot: Slot, reply: Reply) -> None:
        """The answer received for `slot`: every later request with that slot gets it."""
        self._answers[slot] = reply


class _Unknown(Exception):
    def __init__(self, request: WireRequest) -> None:
        super().__init__(request.url)
        self.request = request


def _answered(
    exchanges: Sequence[Exchange],
) -> dict[tuple[ExchangeKind, str, str], WireResponse | TransportFailure]:
    """Each answer received, by (kind, method, URL): what an engine's same request would get. A
    request that failed on the network (refused, timed out) fails alike for every engine, so its
    failure is an answer too (else an engine replayed on an unreachable server would be said to
    "send a request the run did not")."""
    table: dict[tuple[ExchangeKind, str, str], WireResponse | TransportFailure] = {}
    for exchange in exchanges:
        answer = exchange.response if exchange.response is not None else exchange.failure
        if answer is not None:
            where = (exchange.kind, exchange.request.method, exchange.request.url)
            table.setdefault(where, answer)
    return table


def replay(
    shape: RequestShape, browser: Browser, exchanges: Sequence[Exchange]
) -> Outcome | WireRequest:
    """`browser`'s outcome when each of its requests gets the answer the same kind of request
    (method, URL) got in `exchanges`; the first request it would send that has no such answer
    when there is one (its verdict then depends on an answer nobody asked for). Its Outcome
    serves only the verdict, decisive finding and plan (`agreeing`, `contrasts`), so it is
    made without the findings that never decide (`converse`'s `advice`)."""
    answers = _answered(exchanges)

    def answer(step: Send) -> Reply:
        found = answers.get((step.kind, step.request.method, step.request.url))
        if found is None:
            raise _Unknown(step.request)
        return found

    try:
        return drive(converse(shape, browser, advice=False), answer)
    except _Unknown as unknown:
        return unknown.request


Replayed = Mapping[str, Outcome | WireRequest]
"""Each engine not run, by report key: its `replay` on the first engine's answers."""


def replays(shape: RequestShape, ran: Sequence[tuple[Browser, Outcome]]) -> Replayed:
    """`replay` of every engine not in `ran`, on the first engine's answers, done once for both
    `agreeing` and `contrasts`."""
    if not ran:
        return {}
    done = {browser.name for browser, _ in ran}
    first = ran[0][1]
    return {b.name: replay(shape, b, first.exchanges) for b in BROWSERS if b.name not in done}


def _same(a: Outcome, b: Outcome) -> bool:
    x, y = a.decisive, b.decisive
    if x is None or y is None:
        return False
    return (x.code, x.stage, x.url, x.status) == (y.code, y.stage, y.url, y.status)


def agreeing(ran: Sequence[tuple[Browser, Outcome]], replayed: Replayed) -> list[tuple[str, ...]]:
    """For each engine run, the other engines that block on the same decisive finding: among
    those run, by their own outcomes; the others by their replay."""
    outcomes = {browser.name: outcome for browser, outcome in ran}
    outcomes.update({n: o for n, o in replayed.items() if isinstance(o, Outcome)})
    return [
        tuple(n for n, o in outcomes.items() if n != browser.name and _same(outcome, o))
        for browser, outcome in ran
    ]


def contrasts(
    shape: RequestShape,
    ran: Sequence[tuple[Browser, Outcome]],
    replayed: Replayed,
    dry_run: bool = False,
) -> tuple[Contrast, ...]:
    """The engines not in `ran` that would decide otherwise than the first engine run, or whose
    verdict the answers cannot tell because they would send a request the run did not.

    Nothing for a dry run (no answers) or when every engine was run."""
    if dry_run or not ran:
        return ()
    first = ran[0][1]
    found: list[Contrast] = []
    for name, result in replayed.items():
        if isinstance(result, WireRequest):
            plan = prepare(shape, named(name)).plan
            found.append(Contrast(name, None, plan, unsent=result))
        elif result.verdict is not first.verdict:
            found.append(Contrast(name, result.verdict, result.plan, result.decisive))
    return tuple(found)
