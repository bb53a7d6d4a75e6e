"""The cache probe: cors-probe's own extra requests after a check, to tell what caches will do.

After the conversation (usecases/check.py) and over the same send function, it sends the check's
request again with other Origin headers, only when that request is safe (GET or HEAD): once
without Origin (what an <img> or a no-cors fetch() gets), once with a second origin and, when
the user gave --origin, with lookalike origins only an unanchored pattern admits
(policy/caches.py `lookalikes`). For any other method it never repeats the request (it may have
side effects): it compares the preflight's answers (OPTIONS) instead when a preflight was part
of the check, and otherwise sends nothing and says so. Every such request is in the report's
cache section, apart from what the browser sends. The probe is bounded by its own deadline (the
conversation's, `check.within`) and stops at the first request that fails.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from cors_probe.codes import FindingCode
from cors_probe.errors import ProbeError
from cors_probe.model import (
    AfterNoCors,
    CacheExchange,
    CacheProbe,
    Exchange,
    ExchangeKind,
    Finding,
    Headers,
    Report,
    RequestMode,
    Stage,
    WireRequest,
    WireResponse,
)
from cors_probe.policy import caches as rules
from cors_probe.policy.browsers import BROWSERS, BY_NAME
from cors_probe.policy.conversation import DRY_RUN, Reply, Send, converse, drive
from cors_probe.policy.findings import Where

SendFn = Callable[[WireRequest], WireResponse]

SAFE_METHODS = frozenset({"GET", "HEAD"})
"""Methods cors-probe repeats on its own (https://www.rfc-editor.org/rfc/rfc9110#section-9.2.1)."""

OTHER_ORIGINS = ("https://other-site.example", "https://another-site.example")
"""The second origin the answers are compared with (the first one that is not the page's)."""


def _with_origin(request: WireRequest, origin: str | None) -> WireRequest:
    """`request` with its Origin replaced by `origin`, or removed (and then sent in no-cors mode,
    as an <img> or a no-cors fetch() would be) when None."""
    pairs: list[tuple[str, str]] = []
    for name, value in request.headers:
        lowered = name.lower()
        if lowered == "origin":
            if origin is not None:
                pairs.append((name, origin))
        elif lowered == "sec-fetch-mode" and origin is None:
            pairs.append((name, "no-cors"))
        else:
            pairs.append((name, value))
    return replace(request, headers=Headers(tuple(pairs)))


def _first(report: Report, kind: ExchangeKind) -> Exchange | None:
    return next(
        (
            e
            for e in report.outcome.exchanges
            if e.kind is kind and e.hop == 0 and e.response is not None
        ),
        None,
    )


def _variants(report: Report, kind: ExchangeKind) -> list[tuple[str, str | None]]:
    shape = report.shape
    page = shape.origin.serialise()
    chosen: list[tuple[str, str | None]] = []
    if kind is ExchangeKind.ACTUAL:
        chosen.append(("no-origin", None))
    chosen.append(("other-origin", next(o for o in OTHER_ORIGINS if o != page)))
    if shape.origin_given:
        chosen.extend(rules.lookalikes(shape.origin).items())
    return chosen


def probe(
    report: Report,
    send: SendFn,
    *,
    seconds: float,
    clock: Callable[[], float] = time.monotonic,
) -> CacheProbe:
    """The cache section for `report` (a check that was sent, not a dry run), its comparison
    requests sent through `send` (raises ProbeError on failure) within `seconds` in all.
    Findings: shared-cache-hit, vary-origin-missing (from the comparison, unless the check
    already reported it), cors-cached-for-another-origin, cached-without-cors,
    origin-reflected-with-credentials / origin-pattern-unanchored (lookalikes),
    preflight-cached."""
    shape = report.shape
    page = shape.origin.serialise()
    if shape.mode is not RequestMode.CORS:
        return CacheProbe(
            skipped=f"a {shape.mode.value} request carries no CORS headers to compare: cors-probe "
            "sent no extra request"
        )
    preflight, actual = _first(report, ExchangeKind.PREFLIGHT), _first(report, ExchangeKind.ACTUAL)
    method = report.plan.method
    findings: list[Finding] = []
    entries = {}
    if preflight is not None and preflight.response is not None and actual is not None:
        entries = rules.preflight_entries(preflight.response, method, BROWSERS)
        where = Where(Stage.PREFLIGHT, preflight.request.url, "", page)
        findings += _some(rules.preflight_cached(where, entries))

    if method in SAFE_METHODS and actual is not None:
        template = actual
    elif preflight is not None:
        template = preflight
    else:
        reason = (
            f"{method} may change data on the server and needs no preflight: cors-probe sent "
            "no extra request to compare"
            if method not in SAFE_METHODS
            else "no answer to the request to compare with"
        )
        return CacheProbe(findings=tuple(findings), skipped=reason, preflight=entries)
    assert template.response is not None
    stage = Stage.ACTUAL if template.kind is ExchangeKind.ACTUAL else Stage.PREFLIGHT
    where = Where(stage, template.request.url, "", page)

    sent = _send_all(template, _variants(report, template.kind), send, seconds, clock)
    answers = {c.label: c.exchange.response for c in sent if c.exchange.response is not None}
    page_answer = template.response

    hits = [
        hit
        for label, seen in (("page", page_answer), *answers.items())
        if (hit := rules.shared_cache_hit(where, label, seen)) is not None
    ]
    if hits:  # once: the first answer a cache gave, and how many did
        findings.append(replace(hits[0], detail={**hits[0].detail, "hits": len(hits)}))
    told = any(
        f.code is FindingCode.VARY_ORIGIN_MISSING and f.url == template.request.url
        for f in report.outcome.findings
    )
    if not told and answers:
        findings += _some(rules.vary_missing(where, page_answer, list(answers.values())))
    after: tuple[AfterNoCors, ...] = ()
    reflects_any = False  # then every lookalike is echoed too: told once, as `any`
    for c in sent:
        response = c.exchange.response
        if response is None:
            continue
        if c.label in ("no-origin", "other-origin"):
            findings += _some(rules.answer_for_another(where, c.label, c.origin, response, page))
        if c.label == "other-origin" and c.origin is not None and shape.origin_given:
            reflects_any = rules.echoes(response, c.origin)
            if reflects_any and rules.allows_credentials(response):
                findings += _some(rules.echoed_lookalike(where, "any", c.origin, response))
        elif c.label != "no-origin" and c.origin is not None and not reflects_any:
            findings += _some(rules.echoed_lookalike(where, c.label, c.origin, response))
        if c.label == "no-origin" and method == "GET":
            cached = rules.cached_without_cors(
                where, response, page=page, credentials=shape.credentials, engines=BY_NAME
            )
            if cached is not None:
                findings.append(cached)
                after = _after_no_cors(report, response)
    return CacheProbe(
        exchanges=tuple(sent), findings=tuple(findings), preflight=entries, after_no_cors=after
    )


def _some(finding: Finding | None) -> list[Finding]:
    return [finding] if finding is not None else []


def _send_all(
    template: Exchange,
    variants: Sequence[tuple[str, str | None]],
    send: SendFn,
    seconds: float,
    clock: Callable[[], float],
) -> list[CacheExchange]:
    """Each variant of `template`'s request, in turn, until one fails or `seconds` have passed
    (the rest are not sent)."""
    started = clock()
    done: list[CacheExchange] = []
    for label, origin in variants:
        if clock() - started >= seconds:
            break
        request = _with_origin(template.request, origin)
        try:
            exchange = Exchange(template.kind, request, response=send(request))
        except ProbeError as error:
            done.append(
                CacheExchange(
                    label, origin, Exchange(template.kind, request, failure=error.as_failure())
                )
            )
            break
        done.append(CacheExchange(label, origin, exchange))
    return done


def _after_no_cors(report: Report, cached: WireResponse) -> tuple[AfterNoCors, ...]:
    """Each engine run whose HTTP cache a load without CORS poisons, deciding fetch() when its
    first actual request is answered from that cache (`cached`); every other request is
    answered as the check's own run was (or, never sent there, as a dry run)."""
    found: list[AfterNoCors] = []
    for engine in report.engines:
        browser = BY_NAME[engine.browser]
        loads = rules.poisoning_loads(browser, cached.headers, report.shape.credentials)
        if not loads:
            continue
        recorded = {
            (e.kind, e.hop): e.response for e in engine.outcome.exchanges if e.response is not None
        }

        def answer(
            step: Send, recorded: Mapping[tuple[ExchangeKind, int], WireResponse] = recorded
        ) -> Reply:
            if step.kind is ExchangeKind.ACTUAL and step.hop == 0:
                return cached
            return recorded.get((step.kind, step.hop)) or DRY_RUN

        outcome = drive(converse(report.shape, browser), answer)
        found.append(AfterNoCors(engine.browser, loads, outcome))
    return tuple(found)
