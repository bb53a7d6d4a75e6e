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


def location_of(
    response: WireResponse, current: Url, browser: Browser = CHROMIUM
) -> Url | UrlError | None:
    """The parsed Location of a redirect response, resolved against `current`, its bytes read
    as `browser` reads them (`location_text`); None when the response is not a redirect
    (https://fetch.spec.whatwg.org/#concept-response-location-url)."""
    if response.status not in REDIRECT_STATUSES:
        return None
    location = response.headers.get("Location")
    if location is None:
        return None
    return parse_url(location_text(location, browser), base=current)


def location_text(value: str, browser: Browser = CHROMIUM) -> str:
    r"""A Location header value (its wire bytes, Latin-1 decoded as every header value in
    model.py) as `browser` hands it to the URL parser. Where the engine keeps the bytes
    (`Browser.location_bytes_kept`), each byte above 0x7F is percent-encoded as that one byte,
    every other character kept; in WebKitGTK the value is repaired as UTF-8 (`_utf8_repaired`)
    and each byte of that is one character, which the URL parser then encodes as UTF-8.

    Measured (referee family `location-bytes`): Chromium and Firefox request raw UTF-8
    `caf\xc3\xa9.pdf` as `caf%C3%A9.pdf`, and bytes that are not UTF-8 (a lone `\xe9`, a
    truncated or overlong sequence, an encoded surrogate) byte for byte (`%E9`), in the path and
    the query alike. WebKitGTK requests `caf%C3%83%C2%A9.pdf` (the value isomorphic-decoded,
    `Ã©`, then encoded as UTF-8) and `%C3%AF%C2%BF%C2%BD` for each byte that is not UTF-8. The
    Fetch Standard parses the header value, a byte sequence
    (https://fetch.spec.whatwg.org/#concept-response-location-url). A host's percent-escapes
    are decoded (as UTF-8) again by the host parser (url.py), as raw bytes there would be.
    """
    if value.isascii():
        return value
    if not browser.location_bytes_kept:
        return _utf8_repaired(value.encode("latin-1")).decode("latin-1")
    return "".join(c if ord(c) < 0x80 else f"%{ord(c):02X}" for c in value)


REPLACEMENT = "\ufffd".encode()


def _utf8_repaired(data: bytes) -> bytes:
    """`data` with each byte that does not begin a valid UTF-8 sequence (overlong forms and
    surrogates are not valid) replaced by U+FFFD's bytes, one per byte, as WebKitGTK does."""
    out = bytearray()
    index = 0
    while index < len(data):
        lead = data[index]
        size = 1 if lead < 0x80 else 2 if lead <= 0xDF else 3 if lead <= 0xEF else 4
        chunk = data[index : index + size]
        try:
            chunk.decode("utf-8")
        except UnicodeDecodeError:
            out += REPLACEMENT
            index += 1
            continue
        out += chunk
        index += size
    return bytes(out)


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
