"""What a redirect does to a CORS request.

Facts (https://fetch.spec.whatwg.org/#http-redirect-fetch, https://fetch.spec.whatwg.org/#concept-request-tainted-origin;
Chromium CorsURLLoader::OnReceiveRedirect in services/network/cors/cors_url_loader.cc), in
Chromium's order for one hop:
1. With the CORS flag set, the redirect response itself must pass the CORS check (access.py).
2. The 21st redirect is a network error (`net::ERR_TOO_MANY_REDIRECTS`): 20 are followed at most
   (`Browser.max_redirects`).
3. The Location must be http(s): `data:` is refused by the network stack
   (`net::ERR_UNSAFE_REDIRECT`); other schemes get the CORS "protocol schemes" error.
4. A Location with user info is an error for any CORS-tainted request.
5. The origin is tainted (serialises as `null` from then on) when the hop goes from URL A to a
   URL of another origin while A is not same-origin with the page.
6. 301/302 turn POST into GET and 303 turns anything but GET/HEAD into GET, dropping the body and
   the request-body headers. The spec also drops Authorization on a cross-origin hop.
A preflight is sent again at the new URL when the (possibly rewritten) request still needs one.
"""

from __future__ import annotations

from dataclasses import dataclass

from cors_probe.codes import FindingCode
from cors_probe.model import Headers, Origin, WireResponse
from cors_probe.policy.browsers import CHROMIUM, Browser
from cors_probe.policy.origin import same_origin
from cors_probe.policy.url import Url, UrlError, parse_url

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
REQUEST_BODY_HEADERS = frozenset(
    {"content-encoding", "content-language", "content-location", "content-type"}
)


@dataclass(frozen=True, slots=True)
class Hop:
    """The request after following one redirect."""

    url: str
    method: str
    headers: Headers
    body: bytes | None
    tainted: bool


@dataclass(frozen=True, slots=True)
class HopFailure:
    """Why the redirect is a network error: the code, the serialised Location and its scheme."""

    code: FindingCode
    location: str
    scheme: str = ""


def location_of(response: WireResponse, current: Url) -> Url | UrlError | None:
    """The parsed Location of a redirect response, resolved against `current`; None when the
    response is not a redirect (https://fetch.spec.whatwg.org/#concept-response-location-url)."""
    if response.status not in REDIRECT_STATUSES:
        return None
    location = response.headers.get("Location")
    if location is None:
        return None
    return parse_url(location, base=current)


def rewrite_method(status: int, method: str) -> bool:
    """Whether the redirect turns the request into a body-less GET
    (https://fetch.spec.whatwg.org/#http-redirect-fetch)."""
    return (status in (301, 302) and method == "POST") or (
        status == 303 and method not in ("GET", "HEAD")
    )


def follow(
    *,
    status: int,
    current: Url,
    target: Url,
    page_origin: Origin,
    method: str,
    headers: Headers,
    body: bytes | None,
    tainted: bool,
    redirects_so_far: int,
    browser: Browser = CHROMIUM,
) -> Hop | HopFailure:
    """Steps 2-6 above for one redirect (the CORS check of the redirect response is the caller's).

    `status` is the redirect's status, `current` the URL redirected from, `target` the parsed
    Location, `tainted` whether the request's origin is already tainted, `redirects_so_far` the
    redirects already followed. Source: https://fetch.spec.whatwg.org/#http-redirect-fetch, in
    Chromium's order (cors_url_loader.cc OnReceiveRedirect).
    """
    location = target.serialise()
    if redirects_so_far >= browser.max_redirects:
        return HopFailure(FindingCode.TOO_MANY_REDIRECTS, location)
    if not target.is_http:
        return HopFailure(FindingCode.REDIRECT_SCHEME, location, target.scheme)
    if target.has_credentials:
        return HopFailure(FindingCode.REDIRECT_USERINFO, location)
    current_origin = current.origin()
    cross_origin_hop = not same_origin(target.origin(), current_origin)
    if cross_origin_hop and not same_origin(page_origin, current_origin):
        tainted = True
    if rewrite_method(status, method):
        method = "GET"
        body = None
        if not browser.redirect_keeps_body_headers:
            headers = Headers(
                tuple((n, v) for n, v in headers if n.lower() not in REQUEST_BODY_HEADERS)
            )
    if cross_origin_hop:
        headers = Headers(tuple((n, v) for n, v in headers if n.lower() != "authorization"))
    return Hop(url=location, method=method, headers=headers, body=body, tainted=tainted)
