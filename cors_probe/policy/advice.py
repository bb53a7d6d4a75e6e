"""Warnings and notes: what does not block today but bites later, and how browsers differ.

Each rule has one signature, `rule(seen: Seen) -> Finding | None`, and each stage runs its rules
in one list (`PREFLIGHT_ADVICE`, `RESPONSE_ADVICE`), in the order their findings are reported: a
new warning is one function and one edit to a list.

Facts (https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches,
https://fetch.spec.whatwg.org/#cors-preflight-fetch; Chromium preflight_result.cc):
- A server whose ACAO depends on the request's Origin must send `Vary: Origin`, or a shared cache
  hands one origin's answer to another.
- Access-Control-Max-Age: absent or empty means 5 s everywhere. Chromium caps at 7200 s, treats
  garbage as 5 s and a negative value as 0; Firefox caps at 86400 s and caches nothing for
  garbage (measured); Safari caps at 600 s (each engine's `Browser.max_age_*` fields).
- Local Network Access is no longer advice after the fact but a gate before the request
  (gates.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cors_probe.codes import FindingCode
from cors_probe.model import Finding, Origin, Severity, WireResponse
from cors_probe.policy.access import ACAC, ACAO
from cors_probe.policy.browsers import BROWSERS, Browser
from cors_probe.policy.findings import Where
from cors_probe.policy.grammar import trim, vary_covers_origin

MAX_AGE = "Access-Control-Max-Age"


@dataclass(frozen=True, slots=True)
class MaxAgeRules:
    """How an engine reads Access-Control-Max-Age, in seconds: its cap, the value when absent or
    empty, when not an integer, when negative."""

    cap: int
    default: int
    invalid: int
    negative: int


def _rules(browser: Browser) -> MaxAgeRules:
    return MaxAgeRules(
        browser.max_age_cap,
        browser.max_age_default,
        browser.max_age_invalid,
        browser.max_age_negative,
    )


@dataclass(frozen=True, slots=True)
class Seen:
    """What an advice rule looks at: one response, and where and for whom it was received."""

    where: Where
    response: WireResponse
    request_origin: str
    """The Origin the request carried (`null` after a tainting redirect)."""
    page: Origin
    browser: Browser
    origin_given: bool = True
    """False when cors-probe chose the page's origin (no --origin): an unrelated site."""


Rule = Callable[[Seen], Finding | None]


def vary_origin(seen: Seen) -> Finding | None:
    """ACAO echoes the request's origin but `Vary` does not name Origin.

    Source: https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches.
    """
    headers, request_origin = seen.response.headers, seen.request_origin
    acao = headers.get(ACAO)
    if acao is None or trim(acao) != request_origin or request_origin == "*":
        return None
    vary = headers.get("Vary")
    if vary_covers_origin(headers):
        return None
    return seen.where.finding(
        FindingCode.VARY_ORIGIN_MISSING, Severity.WARNING, header="Vary", value=vary
    )


def wildcard_with_acac(seen: Seen) -> Finding | None:
    """`Access-Control-Allow-Origin: *` with Access-Control-Allow-Credentials: harmless without
    credentials, a block with them (https://fetch.spec.whatwg.org/#concept-cors-check)."""
    headers = seen.response.headers
    acao = headers.get(ACAO)
    acac = headers.get(ACAC)
    if acao is None or trim(acao) != "*" or acac is None:
        return None
    return seen.where.finding(
        FindingCode.WILDCARD_WITH_ACAC, Severity.WARNING, header=ACAC, value=acac
    )


def reflected_with_credentials(seen: Seen) -> Finding | None:
    """The server echoes an origin nobody would allow on purpose (one cors-probe chose, or
    `null`, which any site can send from a sandboxed iframe) together with
    `Access-Control-Allow-Credentials: true`: any site can read credentialed responses. The
    textbook CORS vulnerability (https://portswigger.net/web-security/cors)."""
    headers, request_origin = seen.response.headers, seen.request_origin
    acao, acac = headers.get(ACAO), headers.get(ACAC)
    if acao is None or acac is None or trim(acao) != request_origin or acac != "true":
        return None
    if seen.origin_given and request_origin != "null":
        return None
    return seen.where.finding(
        FindingCode.ORIGIN_REFLECTED_WITH_CREDENTIALS,
        Severity.WARNING,
        header=ACAO,
        value=acao,
        detail={"origin": request_origin},
    )


def effective_max_age(value: str | None, browser: Browser) -> dict[str, int]:
    """Seconds each engine caches the preflight for (0: not cached), keyed by engine name.

    `value` is the raw Access-Control-Max-Age (None when absent); `browser` gives the first entry,
    every other profile in `BROWSERS` follows, each read from its `max_age_*` fields. Source:
    preflight_result.cc (Chromium), nsCORSListenerProxy.cpp (Firefox),
    CrossOriginPreflightResultCache.cpp (WebKit), https://fetch.spec.whatwg.org/#cors-preflight-fetch
    (default 5 s).
    """
    others = (b for b in BROWSERS if b.name != browser.name)
    engines = {b.name: _rules(b) for b in (browser, *others)}
    if value is None or trim(value) == "":
        return {name: rules.default for name, rules in engines.items()}
    text = trim(value)
    if not text.lstrip("-").isdigit():
        return {name: rules.invalid for name, rules in engines.items()}
    seconds = int(text)
    if seconds < 0:
        return {name: rules.negative for name, rules in engines.items()}
    if seconds == 0:
        return dict.fromkeys(engines, 0)
    return {name: min(seconds, rules.cap) for name, rules in engines.items()}


def max_age(seen: Seen) -> Finding | None:
    """Access-Control-Max-Age missing (detail: preflight_ms, float), not an integer or above a cap
    (detail: seconds per engine, int). Source: preflight_result.cc; caps in `effective_max_age`."""
    headers, browser = seen.response.headers, seen.browser
    value = headers.get(MAX_AGE)
    if value is None:
        return seen.where.finding(
            FindingCode.MAX_AGE_MISSING,
            Severity.WARNING,
            header=MAX_AGE,
            detail={"preflight_ms": seen.response.elapsed_ms},
        )
    text = trim(value)
    if text and not text.isdigit():
        return seen.where.finding(
            FindingCode.MAX_AGE_INVALID,
            Severity.WARNING,
            header=MAX_AGE,
            value=value,
            detail=effective_max_age(value, browser),
        )
    lowest = min(b.max_age_cap for b in (browser, *BROWSERS))
    if text and int(text) > lowest:
        # Above the lowest cap (Safari's 10 minutes) only: worth knowing, nothing to fix. Above
        # the browser's cap (Chromium's 2 hours) the server's intent is lost in the browser most
        # users run: a warning.
        return seen.where.finding(
            FindingCode.MAX_AGE_CAPPED,
            Severity.WARNING if int(text) > browser.max_age_cap else Severity.INFO,
            header=MAX_AGE,
            value=value,
            detail=effective_max_age(value, browser),
        )
    return None


PREFLIGHT_ADVICE: tuple[Rule, ...] = (max_age, vary_origin, wildcard_with_acac)
"""What a preflight response that authorised the request is advised on, in report order."""
RESPONSE_ADVICE: tuple[Rule, ...] = (
    reflected_with_credentials,
    vary_origin,
    wildcard_with_acac,
)
"""What the final CORS response (https://fetch.spec.whatwg.org/#concept-filtered-response-cors)
is advised on, in report order."""


def advise(rules: tuple[Rule, ...], seen: Seen) -> list[Finding]:
    """The findings of `rules` about `seen`, in the rules' order."""
    return [f for f in (rule(seen) for rule in rules) if f is not None]
