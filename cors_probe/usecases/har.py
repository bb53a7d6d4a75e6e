"""Explain a captured fetch() offline: the engine's conversation answered from the capture.

The same conversation `check` drives (check.run) is handed, for each request the engine would
send, the response the capture recorded for that request: the preflight from the paired
preflight entry, the actual response, each redirect hop's. So the verdict, the findings and the
console lines are `check`'s own, on the server's recorded answers. A request the engine would
send that the capture does not answer (it stops there: the browser never sent it, or it failed
without a response) is said, never invented: the explanation then names it (`unsent`) and has
no report. Nothing is sent; `--replay` is `check` against the live server (cli/har.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from cors_probe.exitcodes import ExitCode
from cors_probe.model import (
    Derivation,
    ExchangeKind,
    Report,
    RequestShape,
    Stage,
    Verdict,
    WireRequest,
    WireResponse,
)
from cors_probe.policy.browsers import CHROMIUM, Browser
from cors_probe.usecases import check
from cors_probe.usecases.results import SEVERITY, VERDICT_EXIT


@dataclass(frozen=True, slots=True)
class Recorded:
    """One request of a captured conversation and the response the capture holds for it."""

    kind: ExchangeKind
    hop: int
    """0 for the first URL, n for the n-th redirect's target."""
    method: str
    url: str
    """Serialised as a browser does (what the conversation's request carries)."""
    response: WireResponse | None
    """None when the capture holds no response for it."""
    entry: int
    """Its entry number in the capture (from 1)."""


@dataclass(frozen=True, slots=True)
class Untold:
    """An engine whose verdict the capture cannot tell: the request it would send unanswered."""

    engine: str
    """The engine's report key (`chrome`, `firefox`, `safari`: Browser.name)."""
    request: WireRequest
    kind: ExchangeKind


@dataclass(frozen=True, slots=True)
class Explanation:
    """A captured conversation explained: the report of each engine the capture can answer, and
    each other engine's request the capture cannot answer (`untold`)."""

    report: Report | None
    """The first answerable engine's report, the others' in its `others`; None when none is."""
    unsent: WireRequest | None = None
    """The first request the first untold engine would send whose response the capture lacks."""
    unsent_kind: ExchangeKind | None = None
    untold: tuple[Untold, ...] = ()
    """Every engine the capture cannot answer, in the order asked."""
    shape: RequestShape | None = None
    """The request as read from the capture (for the words said when there is no report)."""


class _NotCaptured(Exception):
    def __init__(self, request: WireRequest, kind: ExchangeKind) -> None:
        super().__init__(request.url)
        self.request = request
        self.kind = kind


def answers(recorded: Sequence[Recorded]) -> check.SendFn:
    """A send function answering each request from `recorded`: the first recorded response
    to the same kind of request (preflight or actual) with the same method (a preflight's:
    the one it asks for) and URL; raises _NotCaptured for one the capture does not answer."""
    from cors_probe.usecases.simulate import is_preflight

    def send(request: WireRequest) -> WireResponse:
        kind = ExchangeKind.PREFLIGHT if is_preflight(request) else ExchangeKind.ACTUAL
        method = request.method
        if kind is ExchangeKind.PREFLIGHT:
            method = request.headers.get("Access-Control-Request-Method") or method
        for r in recorded:
            if (r.kind, r.method, r.url) == (kind, method, request.url) and r.response:
                return replace(r.response, sent_headers=request.headers)
        raise _NotCaptured(request, kind)

    return send


def explain(
    shape: RequestShape,
    recorded: Sequence[Recorded],
    derivation: Derivation,
    browsers: Sequence[Browser] = (CHROMIUM,),
) -> Explanation:
    """`check`'s report for `shape`, each engine of `browsers` answered from `recorded` (no
    I/O): marked `captured`, with `derived` (how the request was read from the capture). A
    request with side effects needs no consent (nothing is sent). Each engine is judged on its
    own: one that would send a request the capture holds no response for has no report (it is
    in `untold`, the first one's request in `unsent`); the others keep their verdicts."""
    judged: list[Report] = []
    untold: list[Untold] = []
    for browser in browsers:
        one = _explain_one(shape, recorded, derivation, browser)
        if one.report is not None:
            judged.append(one.report)
        elif one.unsent is not None and one.unsent_kind is not None:
            untold.append(Untold(browser.name, one.unsent, one.unsent_kind))
    report = replace(judged[0], others=tuple(judged[1:])) if len(judged) > 1 else None
    if len(judged) == 1:
        report = judged[0]
    first = untold[0] if untold else None
    return Explanation(
        report,
        first.request if first else None,
        first.kind if first else None,
        tuple(untold),
        shape,
    )


def _explain_one(
    shape: RequestShape, recorded: Sequence[Recorded], derivation: Derivation, browser: Browser
) -> Explanation:
    """explain() for one engine: its report, or the request the capture cannot answer."""
    browsers = (browser,)
    send = answers(recorded)
    try:
        report = check.run(shape, send, browsers=browsers, consent=lambda _: True)
    except _NotCaptured as missing:
        inferred = _credentialed(shape, recorded, derivation, browsers, missing)
        return inferred or Explanation(None, missing.request, missing.kind)
    return Explanation(marked(report, derivation, captured=True))


def _credentialed(
    shape: RequestShape,
    recorded: Sequence[Recorded],
    derivation: Derivation,
    browsers: Sequence[Browser],
    missing: _NotCaptured,
) -> Explanation | None:
    """The explanation of a request whose credentials mode the capture cannot tell, when its
    preflight tells it. A HAR does not record fetch()'s `credentials` option, and a request that
    never went out carries no Cookie; but the capture shows the browser did not send it (no
    response) after a preflight that passes only for a request without credentials. Credentials
    are the one input a preflight's check reads that a capture may not hold
    (https://fetch.spec.whatwg.org/#cors-preflight-fetch, step 7's CORS check): so the request
    was credentialed, and its report is the credentialed one, blocked at the preflight.
    None when that is not so (another request is missing, or it does not block there)."""
    if shape.credentials or missing.kind is not ExchangeKind.ACTUAL:
        return None
    if not any(r.kind is ExchangeKind.PREFLIGHT and r.response for r in recorded):
        return None
    send = answers(recorded)
    try:
        report = check.run(
            replace(shape, credentials=True), send, browsers=browsers, consent=lambda _: True
        )
    except _NotCaptured:
        return None
    decisive = report.outcome.decisive
    if decisive is None or decisive.stage is not Stage.PREFLIGHT:
        return None
    told = replace(derivation, credentials_from="preflight")
    return Explanation(marked(report, told, captured=True))


def marked(report: Report, derivation: Derivation | None, *, captured: bool) -> Report:
    """`report` and each other engine's with `derived` set and `captured` as given."""
    others = tuple(replace(o, derived=derivation, captured=captured) for o in report.others)
    return replace(report, derived=derivation, captured=captured, others=others)


@dataclass(frozen=True, slots=True)
class Row:
    """One captured cross-origin fetch() and its explanation."""

    entry: int
    """The entry number of its first request in the capture (from 1)."""
    method: str
    url: str
    status: int
    """The status the capture recorded for its last request (0: none recorded)."""
    explanation: Explanation
    derivation: Derivation

    @property
    def verdict(self) -> Verdict | None:
        """The engine's verdict; None when the capture cannot tell (`Explanation.unsent`)."""
        report = self.explanation.report
        return report.outcome.verdict if report is not None else None


@dataclass(frozen=True, slots=True)
class Skipped:
    """A captured request cors-probe cannot judge, left out with its reason (never an abort)."""

    entry: int
    """Its entry number in the capture (from 1)."""
    method: str
    url: str
    reason: str
    """`not http(s)` (a ws:, wss:, data:, blob:, chrome-extension: entry: no CORS fetch()),
    else the one-line mistake reading it (a bad method, header name or origin)."""


NOT_HTTP = "not http(s)"
"""The reason of an entry whose URL is not http: or https: (https://fetch.spec.whatwg.org/#http-fetch
is the only fetch CORS applies to)."""


@dataclass(frozen=True, slots=True)
class Capture:
    """Every cross-origin fetch() of a capture (or the one picked), explained."""

    path: str
    engine: str | None
    """The engine that made the capture, when known."""
    rows: tuple[Row, ...]
    replayed: bool = False
    """True when the reports are the live server's answers (`--replay`), not the capture's."""
    picked: bool = False
    """True when the user picked one request (`--entry`, `--url`)."""
    skipped: tuple[Skipped, ...] = ()
    """The captured requests left out, in capture order."""
    judged: tuple[str, ...] = ()
    """The engines judging (report keys: `chrome`, `firefox`, `safari`); `engine` made it."""
    note: str = ""
    """Said before the reports: `entry 12 is the preflight of entry 11` for such a pick."""


def exit_code(capture: Capture) -> ExitCode:
    """The worst verdict's exit code, as `check`'s (results.report_exit_code): blocked 1, then
    unreachable 3, then incomplete 4, where a request the capture cannot tell counts as
    incomplete; 0 when every one is allowed (or there is none)."""
    verdicts = set()
    for row in capture.rows:
        report = row.explanation.report
        if report is None or row.explanation.untold:
            verdicts.add(Verdict.INCOMPLETE)
        if report is not None:
            verdicts.update(engine.outcome.verdict for engine in report.engines)
    worst = next((v for v in SEVERITY if v in verdicts), Verdict.ALLOWED)
    return VERDICT_EXIT[worst]
