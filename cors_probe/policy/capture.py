"""Which headers of a captured request the page's script set, and which the browser added.

A request copied from DevTools ("Copy as cURL", "Copy as fetch") or recorded in a HAR file holds
every header that went on the wire: the script's own and those the engine (or DevTools) put
beside them. cors-probe rebuilds the script's request and lets the engine profile add the rest, so
the browser's share is left out here, each with a stable reason code (`model.DroppedHeader`):

- `forbidden`: a forbidden request-header name (https://fetch.spec.whatwg.org/#forbidden-request-header:
  Accept-Encoding, Connection, Host, Origin, Referer, ...; `Proxy-` names), an HTTP/2 pseudo-header
  (`:authority`), and what the engine drops from script beyond the spec
  (`Browser.dropped_request_headers`: Chromium's User-Agent);
- `sec`: a `Sec-` name (Fetch Metadata, `Sec-Fetch-Storage-Access`, `Sec-GPC`, ...);
- `client-hint`: `Sec-CH-*` (https://wicg.github.io/ua-client-hints/: sec-ch-ua, -mobile, ...);
- `cookie`: `Cookie`, the cookie jar's: kept as the request's cookie, and it makes it credentialed;
- `engine-default`: a value the engine sends on its own for fetch(): `Accept: */*`
  (https://fetch.spec.whatwg.org/#fetching step "Accept"), an `Accept-Language` the engine made
  from the user's language list, a browser's `User-Agent` (`Mozilla/...`), `Priority` (RFC 9218,
  Firefox), `Upgrade-Insecure-Requests`, and the `Content-Type: text/plain;charset=UTF-8` fetch()
  gives a string body (https://fetch.spec.whatwg.org/#concept-bodyinit-extract);
- `capture-tool`: the `Cache-Control: no-cache` and `Pragma: no-cache` pair that DevTools' "Disable
  cache" adds (Chromium: the network agent's cache-disabled override,
  third_party/blink/renderer/core/inspector/inspector_network_agent.cc; Firefox: netmonitor's
  `devtools.cache.disabled`, LOAD_BYPASS_CACHE).

The script's own copy of a value the engine would send by itself (`Accept: */*` set by hand)
cannot be told from the engine's; leaving it out changes nothing on the wire, since the engine
puts the same value back. Standard library only, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cors_probe.model import DroppedHeader, Headers
from cors_probe.policy.browsers import BROWSERS, CHROMIUM, Browser
from cors_probe.policy.safelist import is_forbidden_header

FORBIDDEN = "forbidden"
SEC = "sec"
CLIENT_HINT = "client-hint"
ENGINE_DEFAULT = "engine-default"
COOKIE = "cookie"
CAPTURE_TOOL = "capture-tool"
REASONS = (FORBIDDEN, SEC, CLIENT_HINT, ENGINE_DEFAULT, COOKIE, CAPTURE_TOOL)
"""Every reason code, in the order model.DroppedHeader's docstring lists them."""

FETCH_ACCEPT = "*/*"
"""fetch()'s Accept when the script sets none (https://fetch.spec.whatwg.org/#fetching)."""
STRING_BODY_TYPE = "text/plain;charset=utf-8"
"""The Content-Type fetch() gives a string body (lower-cased for comparison)."""
HEADLESS_ACCEPT_LANGUAGE = "en-US"
"""What headless builds send with no locale configured (LANG=C): the referee's WebKitGTK,
pinned to en-US, and headless Chromium."""
_LANGUAGE_ITEM = re.compile(
    r"\s*([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q=([01](?:\.\d{0,3})?))?\s*"
)


@dataclass(frozen=True, slots=True)
class CapturedHeaders:
    """A captured request's headers, split into the script's and the browser's."""

    kept: Headers
    """The script's headers, in capture order."""
    dropped: tuple[DroppedHeader, ...]
    """The rest, in capture order, each with its reason."""
    cookie: str | None
    """The captured Cookie values joined with `; ` (several Cookie lines are one jar's), or None."""


def is_generated_language_list(value: str, browser: Browser = CHROMIUM) -> bool:
    """Whether an Accept-Language value is one an engine makes from the user's languages.

    True for any engine profile's default (`Browser.accept_language`), for `en-US` (headless
    builds), and for a list of two or more language tags in which every tag after the first
    carries a q-value and the q-values decrease, the way Chromium
    (net/http/http_util.cc GenerateAcceptLanguageHeader: 0.9, 0.8, ...) and Firefox
    (netwerk/protocol/http/nsHttpHandler.cpp PrepareAcceptLanguages) write it. A single tag
    other than en-US (`de`) is taken to be the script's.
    """
    if value in {b.accept_language for b in (browser, *BROWSERS)} or value == (
        HEADLESS_ACCEPT_LANGUAGE
    ):
        return True
    items = value.split(",")
    if len(items) < 2:
        return False
    previous = 1.0
    for index, item in enumerate(items):
        match = _LANGUAGE_ITEM.fullmatch(item)
        if match is None:
            return False
        quality = match.group(2)
        if index == 0:
            if quality is not None:
                return False
            continue
        if quality is None or float(quality) >= previous:
            return False
        previous = float(quality)
    return True


def _no_cache_pair(headers: Headers) -> bool:
    """Both `Cache-Control: no-cache` and `Pragma: no-cache`: DevTools' "Disable cache"."""
    return [v.strip().lower() for v in headers.get_all("cache-control")] == ["no-cache"] and [
        v.strip().lower() for v in headers.get_all("pragma")
    ] == ["no-cache"]


def _reason(name: str, value: str, browser: Browser, has_body: bool) -> str | None:
    """Why the browser, not the script, set (name, value); None when it is the script's."""
    lowered = name.lower()
    if lowered.startswith(":"):
        return FORBIDDEN
    if lowered == "cookie":
        return COOKIE
    if lowered.startswith("sec-ch-"):
        return CLIENT_HINT
    if lowered.startswith("sec-"):
        return SEC
    if lowered == "user-agent" and value.startswith("Mozilla/"):
        return ENGINE_DEFAULT
    if is_forbidden_header(name, value) or lowered in browser.dropped_request_headers:
        return FORBIDDEN
    if lowered == "accept" and value.strip() == FETCH_ACCEPT:
        return ENGINE_DEFAULT
    if lowered == "accept-language" and is_generated_language_list(value.strip(), browser):
        return ENGINE_DEFAULT
    if lowered in ("priority", "upgrade-insecure-requests"):
        return ENGINE_DEFAULT
    if (
        lowered == "content-type"
        and has_body
        and value.replace(" ", "").lower() == STRING_BODY_TYPE
    ):
        return ENGINE_DEFAULT
    return None


def split_captured(
    pairs: tuple[tuple[str, str], ...] | Headers,
    browser: Browser = CHROMIUM,
    *,
    has_body: bool = False,
) -> CapturedHeaders:
    """The captured (name, value) pairs, in capture order, split into the script's and the rest.

    `browser` is the engine that sent them (its defaults and its own dropped names);
    `has_body`: the request carried a body (so a `text/plain;charset=UTF-8` Content-Type is
    fetch()'s own). Reasons and their sources: the module's docstring.
    """
    headers = pairs if isinstance(pairs, Headers) else Headers(tuple(pairs))
    disabled_cache = _no_cache_pair(headers)
    kept: list[tuple[str, str]] = []
    dropped: list[DroppedHeader] = []
    cookies: list[str] = []
    for name, value in headers:
        reason = _reason(name, value, browser, has_body)
        if reason is None and disabled_cache and name.lower() in ("cache-control", "pragma"):
            reason = CAPTURE_TOOL
        if reason is None:
            kept.append((name, value))
            continue
        dropped.append(DroppedHeader(name, value, reason))
        if reason == COOKIE and value.strip():
            cookies.append(value.strip())
    return CapturedHeaders(Headers(tuple(kept)), tuple(dropped), "; ".join(cookies) or None)
