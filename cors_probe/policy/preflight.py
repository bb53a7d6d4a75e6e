"""The CORS preflight: whether one is sent, what exactly it holds, and how its answer is judged.

Facts (https://fetch.spec.whatwg.org/#cors-preflight-fetch; Chromium
services/network/cors/preflight_controller.cc and services/network/public/cpp/cors/
preflight_result.cc):
- The preflight goes to the same URL with method OPTIONS, `Accept: */*`, the request's Origin,
  Access-Control-Request-Method (the normalised method, case kept) and, when there are unsafe
  names, Access-Control-Request-Headers (lower-cased, sorted, joined with "," and no space). It
  never carries cookies, Authorization, the script's header values or a body, and is never
  redirected.
- Chromium judges the answer in this order, which decides the console message: a redirect fails
  at once; then the CORS check (ACAO, then ACAC when credentials are included); then the status
  must be 200-299 (Safari checks the status first: `Browser.preflight_cors_check_first`); then
  Access-Control-Allow-Methods and -Headers must parse; then the method must be GET/HEAD/POST or
  listed byte for byte (or `*` without credentials); then every unsafe header name must be
  listed, case-insensitively (or `*` without credentials).
- Chromium deviates from the spec on `Authorization`: the spec says `*` in Allow-Headers never
  covers it, but Chromium 156 ships with CorsNonWildcardRequestHeadersSupport disabled and allows
  it (so do Firefox, with a warning, and WebKit). The verdict follows Chromium; advice warns.
  Shown live by the browser scenario allow-headers-wildcard-authorization (tests/browser);
  `Browser.wildcard_covers_authorization`.
"""

from __future__ import annotations

from dataclasses import dataclass

from cors_probe.codes import FindingCode
from cors_probe.model import Headers, PreflightPlan, WireRequest, WireResponse
from cors_probe.policy.access import AccessFailure, cors_check
from cors_probe.policy.browsers import CHROMIUM, Browser
from cors_probe.policy.grammar import parse_token_list
from cors_probe.policy.redirect import REDIRECT_STATUSES
from cors_probe.policy.safelist import SAFELISTED_METHODS, Triggers

ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"


def plan(url: str, origin: str, method: str, triggers: Triggers) -> PreflightPlan:
    """The preflight for a request to `url` (serialised) from `origin` (the serialised Origin it
    carries) with the normalised `method` and the given triggers; not required when there are no
    triggers. Source: https://fetch.spec.whatwg.org/#cors-preflight-fetch steps 1-4 (the header
    order is Chromium's, preflight_controller.cc CreatePreflightRequest)."""
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
    """A redirect status with a Location: a preflight must not be redirected."""
    return response.status in REDIRECT_STATUSES and response.headers.get("Location") is not None


def check(
    response: WireResponse,
    *,
    origin: str,
    method: str,
    unsafe_names: tuple[str, ...],
    credentials: bool,
    browser: Browser = CHROMIUM,
) -> PreflightResult:
    """Judge the preflight's answer: the first problem in `browser`'s order, or none.

    `origin` is the serialised Origin the preflight carried, `method` the normalised method,
    `unsafe_names` the lower-cased names in Chromium's check order (`Triggers.check_order`).
    Source: https://fetch.spec.whatwg.org/#cors-preflight-fetch steps 6-7 and
    https://fetch.spec.whatwg.org/#concept-cors-check; the order is Chromium's
    (preflight_controller.cc, preflight_result.cc).
    """
    if is_redirect(response):
        location = response.headers.get("Location") or ""
        refused = PreflightResult(
            AccessFailure(
                FindingCode.PREFLIGHT_REDIRECT, "Location", location, {"location": location}
            )
        )
        if browser.preflight_redirect_cors_first:
            access = cors_check(response.headers, origin, credentials)
            return refused if access is None else PreflightResult(access)
        return refused
    ok_status = 200 <= response.status <= 299
    if not ok_status and not browser.preflight_cors_check_first:
        return PreflightResult(AccessFailure(FindingCode.PREFLIGHT_NOT_OK, "", None))
    access = cors_check(response.headers, origin, credentials)
    if access is not None:
        return PreflightResult(access)
    if not ok_status:
        return PreflightResult(AccessFailure(FindingCode.PREFLIGHT_NOT_OK, "", None))
    skip_empty = browser.list_skips_empty_items
    methods = parse_token_list(response.headers.get(ACAM), skip_empty=skip_empty)
    if not methods.ok:
        return PreflightResult(
            AccessFailure(
                FindingCode.ACAM_UNPARSABLE,
                ACAM,
                response.headers.get(ACAM),
                {"item": methods.bad_item or ""},
            )
        )
    allowed_headers = parse_token_list(response.headers.get(ACAH), skip_empty=skip_empty)
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
        covered = wildcard and (name != "authorization" or browser.wildcard_covers_authorization)
        if name not in listed and not covered:
            return PreflightResult(
                AccessFailure(
                    FindingCode.HEADER_NOT_ALLOWED, ACAH, response.headers.get(ACAH), {"name": name}
                )
            )
    wildcard_authorization = "authorization" in unsafe_names and "authorization" not in listed
    return PreflightResult(None, wildcard_authorization=wildcard_authorization)
