"""A report never contradicts its own exchanges: for a table of redirect chains (same-origin ->
cross-origin, cross -> same, cross -> cross, tainted, Firefox's re-preflight), in every engine,
allowed and blocked, the JSON's `preflight`/`preflights` and the text's preflight lines and
same-origin note agree with the requests the report lists."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import pytest
from rich.console import Console

from cors_probe.codes import FindingCode
from cors_probe.model import (
    ExchangeKind,
    Headers,
    Origin,
    Report,
    RequestShape,
    WireResponse,
)
from cors_probe.policy.browsers import BROWSERS, Browser
from cors_probe.policy.conversation import Send, converse, drive
from cors_probe.policy.url import Url, parse_url
from cors_probe.render.json import to_dict
from cors_probe.render.text import build

PAGE = Origin("http", "app.example")
HOSTS = {"same": "http://app.example", "cross": "http://api.example", "other": "http://cdn.example"}
CHAINS: Sequence[tuple[str, ...]] = (
    ("same", "cross"),
    ("same", "same", "cross"),
    ("cross", "same"),
    ("cross", "cross"),
    ("cross", "other"),  # tainted: Origin null from the second URL on
    ("cross", "other", "cross"),
    ("same", "cross", "same"),
    ("same", "same"),
    ("cross",),
    ("same",),
)
REQUESTS: Sequence[tuple[str, tuple[tuple[str, str], ...], bytes | None]] = (
    ("GET", (), None),
    ("PUT", (("Content-Type", "application/octet-stream"),), b"x"),
    ("POST", (("Content-Type", "text/plain"),), b"x"),
    ("GET", (("X-Trace", "1"),), None),
)
ALLOW = (
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Allow-Methods", "PUT, POST"),
    ("Access-Control-Allow-Headers", "content-type, x-trace"),
)


def _answer(chain: tuple[str, ...], status: int, allow: bool) -> object:
    def answer(step: Send) -> WireResponse:
        parsed = parse_url(step.request.url)
        assert isinstance(parsed, Url)
        number = int(parsed.path.rsplit("/", 1)[1])
        headers = ALLOW if allow else ()
        if step.kind is ExchangeKind.PREFLIGHT:
            return WireResponse(204, Headers(headers))
        if number + 1 < len(chain):
            target = f"{HOSTS[chain[number + 1]]}/hop/{number + 1}"
            return WireResponse(status, Headers((*headers, ("Location", target))))
        return WireResponse(200, Headers(headers))

    return answer


CASES = list(itertools.product(CHAINS, REQUESTS, (307, 302), (True, False), BROWSERS))


@pytest.mark.parametrize(
    ("chain", "request_", "status", "allow", "browser"),
    CASES,
    ids=[
        f"{'-'.join(c)}-{r[0]}{len(r[1])}-{s}-{'allow' if a else 'deny'}-{b.name}"
        for c, r, s, a, b in CASES
    ],
)
def test_every_claim_agrees_with_the_exchanges(
    chain: tuple[str, ...],
    request_: tuple[str, tuple[tuple[str, str], ...], bytes | None],
    status: int,
    allow: bool,
    browser: Browser,
) -> None:
    method, headers, body = request_
    shape = RequestShape(
        url=f"{HOSTS[chain[0]]}/hop/0",
        origin=PAGE,
        method=method,
        headers=Headers(headers),
        body=body,
    )
    outcome = drive(converse(shape, browser), _answer(chain, status, allow))  # type: ignore[arg-type]
    report = Report(shape=shape, plan=outcome.plan, outcome=outcome, browser=browser.name)
    document = to_dict(report)
    console = Console(width=200, color_system=None, record=True)
    console.print(build(report))
    text = console.export_text()

    preflights = [e for e in outcome.exchanges if e.kind is ExchangeKind.PREFLIGHT]
    cross = [h for h in outcome.hops if h.cors]
    # JSON: `preflight` is the fetch's
    if preflights:
        assert document["preflight"]["required"] is True
        assert document["preflight"]["triggers"], "a preflight sent, and no reason for it"
        assert document["preflight"]["sent"] is True
        assert document["preflight"]["hop"] == preflights[0].hop
    if not document["preflight"]["required"]:
        assert document["preflight"]["triggers"] == []
    # JSON: `preflights[]`, one per URL reached, each saying whether a preflight went there
    assert [h["hop"] for h in document["preflights"]] == list(range(len(outcome.hops)))
    assert {h["hop"] for h in document["preflights"] if h["sent"]} == {e.hop for e in preflights}
    for hop in document["preflights"]:
        assert hop["required"] or not hop["sent"]
        assert bool(hop["triggers"]) == hop["required"]
        if not hop["cors"]:
            assert not hop["required"]
    # the same-origin note only while no URL of the fetch is cross-origin
    codes = {f.code for f in outcome.findings}
    if cross:
        assert FindingCode.SAME_ORIGIN not in codes
        assert "Same-origin request" not in text
        assert "Nothing to fix." not in text
    # text: never "not needed" beside a preflight it lists
    if preflights:
        assert "Preflight: not needed" not in text
        assert "Preflight" in text
        assert "required" in text
