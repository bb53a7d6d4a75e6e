"""`--assume-header` text -> `usecases.assume.Assumed`: `[SELECTOR] Name: value`, where the
optional SELECTOR is `preflight` or `actual` and/or an http(s) URL (see usecases.assume)."""

from __future__ import annotations

from cors_probe.errors import UsageError
from cors_probe.inputs.request import parse_header
from cors_probe.model import ExchangeKind
from cors_probe.usecases.assume import Assumed

STAGES = {"preflight": ExchangeKind.PREFLIGHT, "actual": ExchangeKind.ACTUAL}


def parse_assumption(text: str) -> Assumed:
    """`[preflight https://a.example/x] Name: value` -> Assumed; UsageError for an unclosed
    bracket, an unknown selector word, a URL that does not parse or is not http(s), two stages
    or two URLs, or a header `parse_header` refuses."""
    from cors_probe.policy.url import UrlError, parse_url

    stripped = text.lstrip()
    if not stripped.startswith("["):
        return Assumed(*parse_header(text))
    selector, closed, rest = stripped[1:].partition("]")
    if not closed:
        raise UsageError(f"--assume-header {text!r}: the selector has no closing ']'")
    kind: ExchangeKind | None = None
    url: str | None = None
    for word in selector.split():
        if word.lower() in STAGES:
            if kind is not None:
                raise UsageError(f"--assume-header {text!r}: give one stage, not two")
            kind = STAGES[word.lower()]
            continue
        parsed = parse_url(word)
        if isinstance(parsed, UrlError) or not parsed.is_http:
            raise UsageError(
                f"--assume-header {text!r}: {word!r} is neither preflight, actual nor an "
                "http(s) URL"
            )
        if url is not None:
            raise UsageError(f"--assume-header {text!r}: give one URL, not two")
        url = parsed.serialise()
    name, value = parse_header(rest)
    return Assumed(name, value, kind, url)
