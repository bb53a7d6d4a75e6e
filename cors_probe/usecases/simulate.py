"""Offline what-if: the browser's conversation, answered by headers the user states.

`cors-probe simulate` judges a request against the answers a server would give (no network);
`cors-probe check --assume-header` judges the live answers as they would be with the headers the
user plans to add. Both reuse `check.run`, so the verdict, findings and JSON are the same engine's.
"""

from __future__ import annotations

import http
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, replace

from cors_probe.model import Contrast, Headers, Report, RequestShape, WireRequest, WireResponse
from cors_probe.policy.browsers import BROWSERS, CHROMIUM, Browser
from cors_probe.policy.url import UrlError, parse_url
from cors_probe.probe.wire import on_the_wire
from cors_probe.usecases import check
from cors_probe.usecases.assume import Assumed


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Headers


@dataclass(frozen=True)
class Answers:
    preflight: Answer
    response: Answer


DEFAULT_ANSWERS = Answers(Answer(204, Headers(())), Answer(200, Headers(())))


def is_preflight(request: WireRequest) -> bool:
    return request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def address_of(url: str) -> str | None:
    """The address a URL's host certainly names (an IP literal, or localhost), else None.

    A live check learns the peer's address from the socket; a simulation can only read it off
    the URL, which is enough for the Local Network Access advice about loopback and private hosts.
    """
    parsed = parse_url(url)
    if isinstance(parsed, UrlError) or not parsed.host:
        return None
    host = parsed.host.strip("[]")
    if host == "localhost" or host.endswith(".localhost"):
        return "127.0.0.1"
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


def answerer(answers: Answers) -> check.SendFn:
    def send(request: WireRequest) -> WireResponse:
        answer = answers.preflight if is_preflight(request) else answers.response
        return WireResponse(
            status=answer.status,
            headers=answer.headers,
            reason=_reason(answer.status),
            server_ip=address_of(request.url),
            sent_headers=on_the_wire(request),
        )

    return send


def simulate(
    shape: RequestShape, answers: Answers, browsers: Sequence[Browser] = (CHROMIUM,)
) -> Report:
    """Each engine of `browsers` judged against the stated `answers`, as `check.run` does: the
    first engine's Report, the others' in `Report.others`, every one marked `simulated`. Nothing
    is sent, so nothing needs consent.

    `Report.contrasts` names each engine not in `browsers` that decides otherwise: the answers
    are stated for any request, so each is judged in full (never "cannot tell", as a live
    check's contrast may be)."""
    send = answerer(answers)
    report = check.run(shape, send, browsers=browsers, consent=lambda _: True)
    others = tuple(replace(other, simulated=True) for other in report.others)
    return replace(
        report,
        simulated=True,
        others=others,
        contrasts=_contrasts(shape, send, report, browsers),
    )


def _contrasts(
    shape: RequestShape, send: check.SendFn, report: Report, browsers: Sequence[Browser]
) -> tuple[Contrast, ...]:
    """The engines not in `browsers` whose verdict on the same answers differs from `report`'s."""
    ran = {browser.name for browser in browsers}
    found = []
    for browser in BROWSERS:
        if browser.name in ran:
            continue
        outcome = check.run(shape, send, browsers=(browser,), consent=lambda _: True).outcome
        if outcome.verdict is not report.outcome.verdict:
            found.append(Contrast(browser.name, outcome.verdict, outcome.plan, outcome.decisive))
    return tuple(found)


def with_headers(headers: Headers, assumed: Sequence[tuple[str, str]]) -> Headers:
    """`headers` with each assumed header set, replacing same-named ones where the first stood."""
    names = {name.lower() for name, _ in assumed}
    kept: list[tuple[str, str]] = []
    placed: set[str] = set()
    for name, value in headers.pairs:
        lowered = name.lower()
        if lowered not in names:
            kept.append((name, value))
        elif lowered not in placed:
            placed.add(lowered)
            kept.extend(pair for pair in assumed if pair[0].lower() == lowered)
    kept.extend(pair for pair in assumed if pair[0].lower() not in placed)
    return Headers(tuple(kept))


def assuming(
    send: check.TimedSendFn, assumed: Sequence[tuple[str, str] | Assumed]
) -> check.TimedSendFn:
    """Every live answer as it would be with the planned headers: a pair on every response, an
    `Assumed` on the responses its selector names (usecases.assume); their names in
    `WireResponse.assumed` so that reports mark them; each request's time-out is passed on to
    `send`."""
    targeted = [a if isinstance(a, Assumed) else Assumed(*a) for a in assumed]

    def send_assuming(request: WireRequest, timeout: float | None = None) -> WireResponse:
        response = send(request, timeout=timeout)
        here = [(a.name, a.value) for a in targeted if a.applies(request)]
        names = tuple(dict.fromkeys(name.lower() for name, _ in here))
        return replace(response, headers=with_headers(response.headers, here), assumed=names)

    return send_assuming
