"""`--assume-header`: a header the server would also send, on every response or on one.

An assumption without a selector is set on every response, preflight and actual alike. A
selector in brackets before it narrows it to the responses it names: `preflight` (the OPTIONS
responses), `actual` (every other response, redirects included), an http(s) URL (the responses
from that URL only), or a stage and a URL together:

    [preflight] Access-Control-Allow-Headers: content-type
    [actual https://b.example/data] Access-Control-Allow-Origin: *

Brackets never occur in a header name (a token, https://fetch.spec.whatwg.org/#header-name), so
the selector cannot be mistaken for one. explain.fixes writes each header fix in this form.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cors_probe.model import ExchangeKind, Report, WireRequest


@dataclass(frozen=True, slots=True)
class Assumed:
    """Header `name: value` set on the responses the selector names (all when both are None)."""

    name: str
    value: str
    kind: ExchangeKind | None = None
    """Only responses to preflights, or only to actual requests (redirects included)."""
    url: str | None = None
    """Only responses from this URL (serialised as a browser's URL parser does)."""

    def applies(self, request: WireRequest) -> bool:
        """Whether this header is assumed on the response to `request`."""
        preflight = (
            request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers
        )
        if self.kind is ExchangeKind.PREFLIGHT and not preflight:
            return False
        if self.kind is ExchangeKind.ACTUAL and preflight:
            return False
        return self.url is None or self.url == request.url


def unmatched(assumed: Sequence[Assumed], report: Report) -> list[Assumed]:
    """The assumptions with a URL selector that named no response of the check (a typo, a
    query string left out, a hop the fetch never reached): they changed nothing."""
    requests = [
        e.request for r in report.engines for e in r.outcome.exchanges if e.response is not None
    ]
    return [a for a in assumed if a.url is not None and not any(a.applies(q) for q in requests)]
