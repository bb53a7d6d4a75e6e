"""The CORS preflight: whether one is sent, what exactly it holds, and how its answer is judged.

Facts (Fetch §4.9 "CORS-preflight fetch"; Chromium preflight_controller.cc and preflight_result.cc;
shared/docs/cors-rules.md §3-4):
- The preflight goes to the same URL with method OPTIONS, `Accept: */*`, the request's Origin,
  Access-Control-Request-Method (the normalised method, case kept) and, when there are unsafe
  names, Access-Control-Request-Headers (lower-cased, sorted, joined with "," and no space). It
  never carries cookies, Authorization, the script's header values or a body, and is never
  redirected.
- Chromium judges the answer in this order, which decides the console message: a redirect fails
  at once; then the CORS check (ACAO, then ACAC when credentials are included); then the status
  must be 200-299 (Safari checks the status first); then Access-Control-Allow-Methods and
  -Headers must parse; then the method must be GET/HEAD/POST or listed byte for byte (or `*`
  without credentials); then every unsafe header name must be listed, case-insensitively (or `*`
  without credentials).
- Chromium deviates from the spec on `Authorization`: the spec says `*` in Allow-Headers never
  covers it, but Chromium 156 ships with CorsNonWildcardRequestHeadersSupport disabled and allows
  it (so do Firefox, with a warning, and WebKit). The verdict follows Chromium; advice warns.
  Shown live by the browser scenario allow-headers-wildcard-authorization (tests/browser).
"""

from __future__ import annotations

from dataclasses import dataclass

from cors_probe.codes import FindingCode
from cors_probe.model import Headers, PreflightPlan, WireRequest, WireResponse
from cors_probe.policy.access import AccessFailure, cors_check
from cors_probe.policy.grammar import parse_token_list
from cors_probe.policy.safelist import SAFELISTED_METHODS, Triggers

ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


def plan(url: str, origin: str, method: str, triggers: Triggers) -> PreflightPlan:
    """The preflight for a request with the normalised `method` and the given triggers."""
    if not triggers.triggers:
        return PreflightPlan(required=False, method=method)
    pairs: list[tuple[str, str]] = [
        ("Accept", "*/*"),
        ("Access-Control-Request-Method", method),
    ]
    if triggers.unsafe_names:
        pairs.append(("Access-Control-Request-Headers", ",".join(triggers.unsafe_names)))
    pairs.append(("Origin", origin))
    request = WireRequest(method="OPTIONS", url=url, headers=Headers(tuple(pairs)))
    return PreflightPlan(
        required=True,
        triggers=triggers.triggers,
        method=method,
        unsafe_names=triggers.unsafe_names,
        request=request,
    )


@dataclass(frozen=True, slots=True)
class PreflightResult:
    failure: AccessFailure | None
    """The first problem, in Chromium's order; None when the preflight authorises the request."""
    wildcard_authorization: bool = False
    """True when `authorization` passed only because Allow-Headers holds `*` (non-conformant)."""


def is_redirect(response: WireResponse) -> bool:
    return response.status in REDIRECT_STATUSES and response.headers.get("Location") is not None


def check(
    response: WireResponse,
    *,
    origin: str,
    method: str,
    unsafe_names: tuple[str, ...],
    credentials: bool,
) -> PreflightResult:
    """`unsafe_names` in Chromium's check order (`Triggers.check_order`)."""
    if is_redirect(response):
        location = response.headers.get("Location") or ""
        return PreflightResult(
            AccessFailure(
                FindingCode.PREFLIGHT_REDIRECT, "Location", location, {"location": location}
            )
        )
    access = cors_check(response.headers, origin, credentials)
    if access is not None:
        return PreflightResult(access)
    if not 200 <= response.status <= 299:
        return PreflightResult(AccessFailure(FindingCode.PREFLIGHT_NOT_OK, "", None))
    methods = parse_token_list(response.headers.get(ACAM))
    if not methods.ok:
        return PreflightResult(
            AccessFailure(
                FindingCode.ACAM_UNPARSABLE,
                ACAM,
                response.headers.get(ACAM),
                {"item": methods.bad_item or ""},
            )
        )
    allowed_headers = parse_token_list(response.headers.get(ACAH))
    if not allowed_headers.ok:
        return PreflightResult(
            AccessFailure(
                FindingCode.ACAH_UNPARSABLE,
                ACAH,
                response.headers.get(ACAH),
                {"item": allowed_headers.bad_item or ""},
            )
        )
    method_ok = (
        method in SAFELISTED_METHODS
        or method in methods.items
        or ("*" in methods.items and not credentials)
    )
    if not method_ok:
        return PreflightResult(
            AccessFailure(
                FindingCode.METHOD_NOT_ALLOWED, ACAM, response.headers.get(ACAM), {"method": method}
            )
        )
    listed = {item.lower() for item in allowed_headers.items}
    wildcard = "*" in listed and not credentials
    for name in unsafe_names:
        if name not in listed and not wildcard:
            return PreflightResult(
                AccessFailure(
                    FindingCode.HEADER_NOT_ALLOWED, ACAH, response.headers.get(ACAH), {"name": name}
                )
            )
    wildcard_authorization = "authorization" in unsafe_names and "authorization" not in listed
    return PreflightResult(None, wildcard_authorization=wildcard_authorization)
