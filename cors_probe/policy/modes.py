"""fetch()'s `mode` and `redirect` options, and the Cross-Origin-Resource-Policy check.

Facts (measured by the browser referee's `modes` scenarios in Chromium 156, Firefox ESR and
WebKitGTK; where an engine departs from the spec the `Browser` profile says so):
- `mode: 'no-cors'` allows only the CORS-safelisted methods GET, HEAD and POST: any other makes the
  Request constructor throw a TypeError (https://fetch.spec.whatwg.org/#dom-request).
- Its header guard `request-no-cors` keeps only no-CORS-safelisted request-headers (Accept,
  Accept-Language, Content-Language, Content-Type with a safelisted value); others are dropped
  silently, not refused (https://fetch.spec.whatwg.org/#concept-headers-append,
  https://fetch.spec.whatwg.org/#no-cors-safelisted-request-header-name).
- No CORS flag is ever set in no-cors mode: no preflight, no CORS check; a cross-origin response
  is opaque (status 0, no header, no body for script) and is judged by the
  Cross-Origin-Resource-Policy check (https://fetch.spec.whatwg.org/#main-fetch,
  https://fetch.spec.whatwg.org/#cross-origin-resource-policy-check).
- `no-cors` with a redirect mode other than `follow`, and `same-origin` with a cross-origin URL,
  are network errors before anything is sent (https://fetch.spec.whatwg.org/#main-fetch; Chromium
  services/network/cors/cors_url_loader_factory.cc).
- `redirect: 'error'` makes any redirect response a network error; `manual` resolves with an
  opaque-redirect response (status 0) after the redirect response passed the CORS check
  (https://fetch.spec.whatwg.org/#http-fetch).
"""

from __future__ import annotations

from dataclasses import dataclass

from cors_probe.codes import FindingCode
from cors_probe.model import (
    DetailValue,
    Finding,
    Headers,
    Origin,
    RedirectMode,
    RequestMode,
    Severity,
    WireResponse,
)
from cors_probe.policy import metadata
from cors_probe.policy.browsers import CHROMIUM, Browser
from cors_probe.policy.findings import Where
from cors_probe.policy.origin import same_origin
from cors_probe.policy.safelist import SAFELISTED_METHODS, is_forbidden_header, safelist_problem
from cors_probe.policy.url import Url

CORP = "Cross-Origin-Resource-Policy"
NO_CORS_SAFELISTED_NAMES = frozenset(
    {"accept", "accept-language", "content-language", "content-type"}
)
"""https://fetch.spec.whatwg.org/#no-cors-safelisted-request-header-name"""


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why fetch() fails before sending anything, as a finding code and its detail."""

    code: FindingCode
    detail: dict[str, DetailValue]


def method_refusal(mode: RequestMode, method: str) -> Refusal | None:
    """The Request constructor's no-cors method rule: `method` (normalised) must be GET, HEAD or
    POST in no-cors mode, else fetch() throws (https://fetch.spec.whatwg.org/#dom-request)."""
    if mode is RequestMode.NO_CORS and method not in SAFELISTED_METHODS:
        return Refusal(FindingCode.NO_CORS_METHOD, {"method": method})
    return None


def main_fetch_refusal(
    mode: RequestMode, redirect: RedirectMode, page: Origin, target: Origin
) -> Refusal | None:
    """Main fetch's network errors before any request: no-cors with a redirect mode other than
    `follow`, and same-origin mode with a URL whose origin `target` is not the page's
    (https://fetch.spec.whatwg.org/#main-fetch)."""
    if mode is RequestMode.NO_CORS and redirect is not RedirectMode.FOLLOW:
        return Refusal(FindingCode.NO_CORS_REDIRECT_MODE, {"redirect": redirect.value})
    if mode is RequestMode.SAME_ORIGIN and not same_origin(page, target):
        return Refusal(FindingCode.SAME_ORIGIN_MODE, {"url_origin": target.serialise()})
    return None


def no_cors_guard(
    headers: Headers, browser: Browser = CHROMIUM
) -> tuple[Headers, tuple[tuple[str, str], ...]]:
    """The `request-no-cors` header guard over the script's headers, appended one by one:
    (the headers kept, the headers dropped). Forbidden headers, and those `browser` drops on its
    own, are kept here for `safelist.browser_headers` to report. A name already kept is combined
    with the next value before the value test (https://fetch.spec.whatwg.org/#concept-headers-append)."""
    kept: list[tuple[str, str]] = []
    dropped: list[tuple[str, str]] = []
    for name, value in headers:
        lowered = name.lower()
        if is_forbidden_header(name, value) or lowered in browser.dropped_request_headers:
            kept.append((name, value))
            continue
        previous = [v for n, v in kept if n.lower() == lowered]
        combined = ", ".join([*previous, value])
        if lowered in NO_CORS_SAFELISTED_NAMES and safelist_problem(lowered, combined) is None:
            kept.append((name, value))
        else:
            dropped.append((name, value))
    return Headers(tuple(kept)), tuple(dropped)


@dataclass(frozen=True, slots=True)
class CorpBlock:
    """A Cross-Origin-Resource-Policy block: the policy and how the request's origin relates to
    the response's URL (`cross-origin`, `cross-site` or `cross-scheme`)."""

    policy: str
    relation: str


def _schemelessly_same_site(a: Origin, b: Origin) -> bool:
    return metadata.site("", a.host)[1] == metadata.site("", b.host)[1]


def corp_check(headers: Headers, origin: Origin | None, url: Url) -> CorpBlock | None:
    """The Cross-Origin-Resource-Policy check of a no-cors response from `url`, for a request
    whose origin is `origin` (None once a cross-origin redirect tainted it: Chromium then
    compares as an opaque origin, measured). The header is parsed case-sensitively and a list is
    no policy (Chromium services/network/public/cpp/cross_origin_resource_policy.cc).
    Source: https://fetch.spec.whatwg.org/#cross-origin-resource-policy-internal-check."""
    policy = headers.get(CORP)
    if policy not in ("same-origin", "same-site"):
        return None
    target = url.origin()
    if origin is not None and same_origin(origin, target):
        return None
    site_ok = origin is not None and not origin.opaque and _schemelessly_same_site(origin, target)
    if policy == "same-origin":
        return CorpBlock(policy, "cross-origin" if site_ok else "cross-site")
    if not site_ok:
        return CorpBlock(policy, "cross-site")
    assert origin is not None
    if origin.scheme != "https" and target.scheme == "https":
        return CorpBlock(policy, "cross-scheme")
    return None


def corp_blocked(
    where: Where, reply: WireResponse, page: Origin, url: Url, opaque_origin: bool
) -> Finding | None:
    """The `corp-blocked` finding for a no-cors `reply` from `url` that the page's origin `page`
    (an opaque origin when `opaque_origin`: `Browser.corp_tainted_origin_opaque` after a
    cross-origin redirect) may not read, or None (`corp_check`)."""
    block = corp_check(reply.headers, None if opaque_origin else page, url)
    if block is None:
        return None
    return where.finding(
        FindingCode.CORP_BLOCKED,
        Severity.ERROR,
        status=reply.status,
        header=CORP,
        value=reply.headers.get(CORP),
        detail={
            "policy": block.policy,
            "relation": block.relation,
            "request_origin": "null" if opaque_origin else page.serialise(),
        },
    )
