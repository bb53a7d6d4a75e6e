"""A check's Report -> the CorsNeed every writer turns into configuration.

The need is what exactly the checked request requires (https://fetch.spec.whatwg.org/#http-cors-protocol):
the allow-list given (`FixRequest.origins`), credentials as the request uses them, the request's
method and its non-safelisted header names (`PreflightPlan.unsafe_names`, as the engine lists
them in Access-Control-Request-Headers), and a max-age within Chromium's cap (7200 s, the
smallest of the engines' caps that still saves a preflight per page view: WebKit's is 600 s).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from cors_probe.codes import FindingCode as C
from cors_probe.explain.fixes import header_fixes, no_fix_reason
from cors_probe.model import CorsNeed, ExchangeKind, Finding, Report, Severity

MAX_AGE = 7200
"""Seconds: Chromium's cap (policy/browsers.py CHROMIUM.max_age_cap); Firefox caps at 86400,
WebKit at 600 (it keeps the preflight 600 s at most whatever is asked)."""

CORS_HEADERS = (
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "access-control-expose-headers",
    "access-control-max-age",
)


def need_of(report: Report) -> CorsNeed:
    """What the server must answer for `report`'s request, from every origin of `report.fix`
    (the page's own origin when no FixRequest is attached). Pure: reads the report only."""
    shape, outcome = report.shape, report.outcome
    origins = report.fix.origins if report.fix is not None else (shape.origin.serialise(),)
    public = report.fix.public if report.fix is not None else False
    split = urlsplit(shape.url)  # for the snippets' words only: the check parsed it already
    path, target = split.path or "/", f"{split.scheme}://{split.netloc.rpartition('@')[2]}"
    existing: list[tuple[str, str]] = []
    preflight_ms = None
    for exchange in outcome.exchanges:
        response = exchange.response
        if response is None or exchange.withheld:
            continue
        if exchange.kind is ExchangeKind.PREFLIGHT and preflight_ms is None:
            preflight_ms = response.elapsed_ms
        for name, value in response.headers.pairs:
            if name.lower() in CORS_HEADERS and (name, value) not in existing:
                existing.append((name, value))
    not_header = tuple(
        f.code.value
        for f in outcome.findings
        if f.severity is Severity.ERROR and not header_fixes(f) and _not_a_header(f)
    )
    private = any(f.code is C.LOCAL_NETWORK_ACCESS for f in outcome.findings)
    return CorsNeed(
        origins=origins,
        credentials=shape.credentials,
        methods=(shape.method.upper(),),
        headers=tuple(report.plan.unsafe_names),
        preflight=report.plan.required,
        max_age=MAX_AGE,
        wildcard=public and not shape.credentials and not private,
        path=path,
        target=target,
        local_network=private,
        existing=tuple(existing),
        preflight_ms=preflight_ms,
        not_header=not_header,
    )


def _not_a_header(finding: Finding) -> bool:
    """Whether an error finding without a header fix is one no header could fix (a redirect,
    a status, a tainted origin with credentials), rather than one already covered."""
    return no_fix_reason(finding) is not None or finding.code not in (
        C.ACAO_MISSING,
        C.ACAO_MISMATCH,
    )
