"""The browser seam: every fact in which a verdict follows one engine rather than the spec.

The rule modules (safelist.py, preflight.py, access.py, advice.py, redirect.py, metadata.py) read
these fields where the Fetch Standard leaves room or an engine deviates from it; the conversation
is handed a `Browser` (`conversation.converse(shape, browser)`). Three profiles, each measured by
the browser referee (tests/browser, every scenario run live in the engine) and read in its source:

- `CHROMIUM`: Chromium 156; services/network/public/cpp/cors/ (cors.cc, preflight_result.cc),
  services/network/cors/cors_url_loader.cc, preflight_controller.cc.
- `FIREFOX`: Firefox 153 ESR; netwerk/protocol/http/nsCORSListenerProxy.cpp,
  netwerk/protocol/http/nsHttpChannel.cpp, dom/security/nsContentSecurityUtils.cpp.
- `WEBKIT`: WebKitGTK 2.50, the engine inside Safari (named `safari` in reports), measured on
  WebKitGTK's network stack (libsoup), not Apple's;
  Source/WebCore/loader/CrossOriginAccessControl.cpp, CrossOriginPreflightChecker.cpp,
  CrossOriginPreflightResultCache.cpp.

Where an engine departs from the Fetch Standard the field's docstring says so and names the
referee scenario (tests/browser/scenarios.py) that shows it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

_DECIMAL = re.compile(r"\d+(\.\d+)?")
_INTEGER = re.compile(r"\d+")

CookieCheck = Literal[
    "secure-insecure-url",
    "prefix",
    "invalid-domain",
    "partitioned-insecure",
    "samesite-none-insecure",
]
"""Why an engine rejects a cookie as set (policy/cookies.py): Secure from a URL that is not
potentially trustworthy, a `__Secure-`/`__Host-` prefix whose conditions fail, a Domain that does
not domain-match the host, `Partitioned` without Secure, `SameSite=None` without Secure."""

ThirdPartyCookies = Literal["allowed", "partitioned", "blocked"]
"""An engine's default policy for cookies in a cross-site context."""

SCRIPT = "*script*"
"""Marks where, among a request's default headers, the script's own headers go."""


@dataclass(frozen=True, slots=True)
class Browser:
    """One engine's CORS behaviour and the requests it puts on the wire."""

    name: str
    """The key reports use for this engine: `chrome`, `firefox` or `safari`."""

    option: str
    """The engine's name on the command line (`--browser chromium|firefox|safari`)."""

    label: str
    """The engine as reports name it: `Chrome`, `Firefox`, `Safari`."""

    engine: str
    """The engine and version the facts were measured in."""

    dropped_request_headers: frozenset[str]
    """Lower-cased names the browser silently drops from script headers besides Fetch's
    forbidden request-headers (https://fetch.spec.whatwg.org/#forbidden-request-header), so they
    never trigger a preflight. Chromium: `user-agent` (crbug 571722), against the spec, which
    lets script set it (scenario trigger-forbidden-user-agent: no preflight in Chromium, the
    header never arrives; Firefox and WebKit preflight it and send it)."""

    extra_safelisted_headers: Mapping[str, re.Pattern[str] | None]
    """Lower-cased names safelisted beyond https://fetch.spec.whatwg.org/#cors-safelisted-request-header,
    each with the pattern its whole value must match (None: any value). Chromium, against the
    spec: the client hints DPR, Device-Memory, Width, Viewport-Width, Downlink, RTT, ECT,
    Save-Data and Intervention (IsCorsSafelistedHeader in cors.cc; scenarios trigger-client-hint-*:
    no preflight in Chromium, a preflight in Firefox and WebKit)."""

    range_unit_any_case: bool
    """Whether the `bytes` unit of a safelisted Range value may be in any case (`BYTES=0-99`).
    The spec's simple-range-header-value is case-sensitive
    (https://fetch.spec.whatwg.org/#simple-range-header-value). WebKit, against it: any case
    (scenario trigger-range-upper-unit)."""

    max_age_default: int
    """Seconds a preflight is cached for when Access-Control-Max-Age is absent or empty (5 in
    every engine, as https://fetch.spec.whatwg.org/#cors-preflight-fetch says)."""

    max_age_cap: int
    """The most seconds a preflight is cached for. Chromium: 7200 (preflight_result.cc,
    kMaxTimeout); Firefox: 86400 (nsCORSListenerProxy.cpp); WebKit: 600
    (CrossOriginPreflightResultCache.cpp, maxPreflightCacheTimeout)."""

    max_age_invalid: int
    """Seconds cached for a value that is not an integer: the default in Chromium and WebKit;
    0 (not cached) in Firefox (nsCORSListenerProxy.cpp returns before caching; measured: `abc`
    and `1.5` preflight again at once)."""

    max_age_negative: int
    """Seconds cached for a negative value: 0 (not cached)."""

    wildcard_covers_authorization: bool
    """Whether `*` in Access-Control-Allow-Headers (without credentials) covers `authorization`.
    The spec says never (https://fetch.spec.whatwg.org/#cors-preflight-fetch). Against it,
    Chromium 156 (CorsNonWildcardRequestHeadersSupport disabled), Firefox 153 and WebKit 2.50
    all allow it
    (scenario allow-headers-wildcard-authorization), so the verdict is allowed and advice warns."""

    preflight_cors_check_first: bool
    """Whether the preflight's CORS check (ACAO, ACAC) comes before its 2xx status check, which
    decides the console message when both fail. The spec checks the status last
    (https://fetch.spec.whatwg.org/#cors-preflight-fetch step 7). Chromium and Firefox: CORS
    first; WebKit: the status first (scenario preflight-status-and-acao)."""

    list_skips_empty_items: bool
    """Whether Access-Control-Allow-Methods/-Headers skip empty list items (`a, , b`) rather than
    fail to parse (scenario allow-headers-empty-elements). Chromium: True
    (ParseAccessControlAllowList in preflight_result.cc)."""

    max_redirects: int
    """Redirects followed at most; the next one is a network error: 20 in every engine, as
    https://fetch.spec.whatwg.org/#http-redirect-fetch says (scenario redirect-loop)."""

    preflight_origin_tainted: bool
    """Whether a preflight sent after a redirect tainted the request's origin carries
    `Origin: null`, as the actual request does (the spec: yes,
    https://fetch.spec.whatwg.org/#concept-request-tainted-origin). Firefox, against it: the
    preflight carries the page's origin and only the actual request `null`, so an answer of
    `Access-Control-Allow-Origin: null` passes Chromium and fails Firefox (scenarios
    redirect-cross-origin-then-preflight-*)."""

    redirect_keeps_body_headers: bool
    """Whether a redirect that turns the request into a GET (303; 301/302 after POST) keeps its
    Content-Type and other request-body headers. The spec removes them
    (https://fetch.spec.whatwg.org/#http-redirect-fetch step 12). WebKit, against it, keeps
    them, so a JSON Content-Type preflights the GET again (scenario
    engines-303-after-preflighted-post)."""

    redirect_repreflights: bool
    """Whether every hop after a redirect is preflighted again once the request was preflighted,
    even when the new request needs none (a GET after a 303). Not in the spec; Firefox does
    (nsCORSListenerProxy.cpp, the redirected channel keeps forcing a preflight; scenario
    engines-303-after-preflighted-post: `OPTIONS` with `Access-Control-Request-Method: GET`)."""

    preflight_redirect_cors_first: bool
    """Whether a redirected preflight's CORS check comes before the refusal to follow it, which
    decides the message when both fail. Firefox: the CORS check first (scenario
    engines-preflight-302-without-acao); Chromium and WebKit: the redirect first."""

    header_check_script_order: bool
    """Whether request headers are checked against Access-Control-Allow-Headers in the order the
    script set them, which decides the header the console names when several are missing.
    Chromium and Firefox check them sorted; WebKit in the script's order (scenario
    trigger-two-custom-sorted)."""

    local_network_access: bool
    """Whether the engine gates a page's request to a more private address space on the user's
    permission (Local Network Access; policy/gates.py), on by default. Chromium 156: yes.
    Firefox 153 ESR: yes, on by default (network.lna.enabled and network.lna.blocking true),
    with the same permission names (`loopback-network`, `local-network`); headless, an
    unanswered prompt leaves fetch() pending. WebKit: no such gate. Measured:
    tests/browser/test_gates.py."""

    local_network_blocks_insecure_pages: bool
    """Whether a page that is not a secure context is refused outright, without asking (Chromium
    156: yes; Firefox 153 ESR asks from any page: network.lna.block_insecure_contexts false)."""

    mixed_content_allows_loopback: bool
    """Whether an https page may fetch http:// loopback URLs (127.0.0.0/8, [::1], localhost,
    *.localhost: potentially trustworthy,
    https://w3c.github.io/webappsec-secure-contexts/#is-origin-trustworthy). Chromium 156 and
    Firefox 153 ESR: yes; WebKitGTK 2.50 blocks them as mixed content too (measured,
    tests/browser/test_gates.py)."""

    user_agent: str
    """The User-Agent string the engine sends (a current desktop release; `--user-agent`
    overrides it)."""

    accept_language: str
    """The engine's default Accept-Language for an en-US user (the release's; the referee's
    WebKitGTK, pinned to en-US, sends `en-US`)."""

    accept_encoding: str
    """The engine's Accept-Encoding on fetch() requests (Safari's `gzip, deflate, br`; WebKitGTK's
    libsoup, which the referee runs, sends `gzip, deflate`)."""

    client_hints: tuple[tuple[str, str], ...]
    """Low-entropy User-Agent client hints sent by default to potentially trustworthy URLs
    (https://wicg.github.io/ua-client-hints/). Chromium only."""

    storage_access: bool
    """Whether a credentialed cross-site request says `Sec-Fetch-Storage-Access: none`
    (https://privacycg.github.io/storage-access-headers/; Chromium 133+, scenario
    acao-get-credentials-exact)."""

    priority: str | None
    """The Priority header (RFC 9218) the engine puts on fetch() requests, if any (Firefox)."""

    actual_order: tuple[str, ...]
    """The order of an actual request's headers, as measured; `SCRIPT` stands for the script's
    headers. Names absent from a request are skipped."""

    preflight_order: tuple[str, ...]
    """The order of a preflight's headers, as measured."""

    redirected_order: tuple[str, ...] | None
    """The order of an actual request's headers after a redirect, when it differs (Firefox puts
    Referer after Origin; scenario redirect-same-origin-302)."""

    cross_redirected_order: tuple[str, ...] | None
    """The order after a redirect to another origin, when it differs; Fetch Metadata is then
    left off entirely (WebKit; scenario redirect-cross-origin-acao-wildcard), against
    https://w3c.github.io/webappsec-fetch-metadata/, which sends it on every hop."""

    preflight_site_whole_chain: bool
    """Whether a preflight after a redirect computes Sec-Fetch-Site over the fetch's whole URL
    list (WebKit) rather than over its own URL, as a new request (Chromium, Firefox; scenario
    engines-redirect-then-preflight-echo)."""

    location_bytes_kept: bool = True
    r"""Whether a redirect's Location reaches the URL parser as its bytes, each byte above
    0x7F percent-encoded as itself (`caf\xc3\xa9` -> `caf%C3%A9`): Chromium and Firefox
    (referee family location-bytes). WebKitGTK (False) first repairs the value as UTF-8, each
    byte that does not begin a valid sequence replaced by U+FFFD (a truncated 3-byte sequence
    gives two), then takes each byte of that as one character (isomorphic decode), so raw
    UTF-8 `\xc3\xa9` is requested as `%C3%83%C2%A9` and a lone `\xe9` as `%C3%AF%C2%BF%C2%BD`;
    measured on its libsoup network stack, not Apple's. The Fetch Standard parses the header
    value (https://fetch.spec.whatwg.org/#concept-response-location-url)."""
    corp_tainted_origin_opaque: bool = False
    """Whether the Cross-Origin-Resource-Policy check of a no-cors response after a cross-origin
    redirect compares an opaque origin, so `same-site` blocks even a target on the page's own
    site. Chromium: yes (cross_origin_resource_policy.cc); Firefox and WebKit compare the page's
    origin, as https://fetch.spec.whatwg.org/#cross-origin-resource-policy-check does (scenario
    modes-no-cors-corp-same-site-after-redirect)."""
    # --- cookies (policy/cookies.py; tests/browser/test_cookies.py measures them) -----------
    third_party_cookies: ThirdPartyCookies = "allowed"
    """The default policy for cookies of a cross-site response and on cross-site fetches.
    Chrome: `allowed` (a default desktop profile: `profile.cookie_controls_mode` 2,
    kIncognitoOnly, blocked in Incognito only; a user who blocks third-party cookies, and the
    Chromium build the referee runs, whose fresh profile defaults to 1, kBlockThirdParty, reject
    them with the reason `UserPreferences`; components/content_settings/core/browser/
    cookie_settings.cc). Firefox:
    `partitioned` (Total Cookie Protection, `network.cookie.cookieBehavior` 5: stored in the
    top-level site's jar and sent back from it). Safari: `blocked` (ITP's full third-party cookie
    blocking; WebKitGTK's default accept policy, no-third-party, stores none either)."""

    same_site_lax_by_default: bool = False
    """Whether a cookie without SameSite is treated as `Lax` (Chromium, against the cross-site
    fetch: `ExcludeSameSiteUnspecifiedTreatedAsLax`). Firefox (network.cookie.sameSite.laxByDefault
    false) and WebKit treat it as `None`."""

    same_site_none_requires_secure: bool = False
    """Whether `SameSite=None` without Secure is rejected (Chromium `SameSiteNoneInsecure`,
    Firefox "rejected because it has the “SameSite=None” attribute but is missing the “secure”
    attribute."); WebKit does not check it."""

    partitioned_cookies: bool = False
    """Whether the `Partitioned` attribute (CHIPS) is honoured: the cookie is kept in the page's
    top-level site's partition, and rejected without Secure (Chromium, Firefox). WebKit ignores
    the attribute, so the cookie stays a blocked third-party one."""

    cookie_checks: tuple[CookieCheck, ...] = ()
    """The order in which the engine checks a cookie as set; the first that fails is the reason
    it names. Firefox checks SameSite=None without Secure before a prefix (a `__Secure-` cookie
    with SameSite=None and no Secure is reported for SameSite); Chromium the prefix first."""
    http_cache_serves_cors_from: frozenset[str] = frozenset()
    """Earlier loads of a URL without CORS (`img`: an <img>; `no-cors`: a no-cors fetch() with
    its default credentials mode; `no-cors-include`: one with `credentials: 'include'`) whose
    HTTP-cached answer the engine hands a later fetch() in cors mode, when `Vary` lacks Origin:
    no ACAO, blocked (https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches). Measured
    (tests/browser/test_http_cache.py): Chromium all three; Firefox the no-cors fetches only;
    WebKit none (it asks the server again)."""

    http_cache_keys_credentials: bool = False
    """Whether the HTTP cache keeps answers to requests with and without credentials apart, so
    only a load in the same credentials mode as the fetch() poisons it. Firefox: yes (its cache
    key carries the anonymous flag, netwerk/cache2; measured: a no-cors fetch() without
    credentials does not poison a credentialed fetch(), nor the reverse); Chromium: no."""


CHROMIUM = Browser(
    name="chrome",
    option="chromium",
    label="Chrome",
    engine="Chromium 156.0.8078",
    dropped_request_headers=frozenset({"user-agent"}),
    extra_safelisted_headers=MappingProxyType(
        {
            "device-memory": _DECIMAL,
            "dpr": _DECIMAL,
            "width": _DECIMAL,
            "viewport-width": _DECIMAL,
            "downlink": _DECIMAL,
            "rtt": _INTEGER,
            "ect": re.compile(r"slow-2g|2g|3g|4g"),
            "save-data": re.compile(r"on"),
            "intervention": None,
        }
    ),
    range_unit_any_case=False,
    max_age_cap=7200,
    wildcard_covers_authorization=True,
    preflight_cors_check_first=True,
    list_skips_empty_items=True,
    preflight_origin_tainted=True,
    redirect_keeps_body_headers=False,
    redirect_repreflights=False,
    preflight_redirect_cors_first=False,
    header_check_script_order=False,
    local_network_access=True,
    local_network_blocks_insecure_pages=True,
    mixed_content_allows_loopback=True,
    user_agent=(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/156.0.0.0 Safari/537.36"
    ),
    accept_language="en-US,en;q=0.9",
    accept_encoding="gzip, deflate, br, zstd",
    client_hints=(
        ("sec-ch-ua-platform", '"Windows"'),
        ("sec-ch-ua", '"Chromium";v="156", "Google Chrome";v="156", "Not:A-Brand";v="99"'),
        ("sec-ch-ua-mobile", "?0"),
    ),
    storage_access=True,
    priority=None,
    actual_order=(
        "sec-ch-ua-platform",
        "User-Agent",
        "sec-ch-ua",
        "sec-ch-ua-mobile",
        SCRIPT,
        "Accept",
        "Origin",
        "Sec-Fetch-Site",
        "Sec-Fetch-Mode",
        "Sec-Fetch-Dest",
        "Sec-Fetch-Storage-Access",
        "Referer",
        "Accept-Encoding",
        "Accept-Language",
        "Cookie",
    ),
    preflight_order=(
        "Accept",
        "Access-Control-Request-Method",
        "Access-Control-Request-Headers",
        "Origin",
        "User-Agent",
        "Sec-Fetch-Mode",
        "Sec-Fetch-Site",
        "Sec-Fetch-Dest",
        "Referer",
        "Accept-Encoding",
        "Accept-Language",
    ),
    redirected_order=None,
    cross_redirected_order=None,
    preflight_site_whole_chain=False,
    max_age_default=5,
    max_age_invalid=5,
    max_age_negative=0,
    max_redirects=20,
    corp_tainted_origin_opaque=True,
    third_party_cookies="allowed",
    same_site_lax_by_default=True,
    same_site_none_requires_secure=True,
    partitioned_cookies=True,
    cookie_checks=(
        "secure-insecure-url",
        "prefix",
        "invalid-domain",
        "partitioned-insecure",
        "samesite-none-insecure",
    ),
    http_cache_serves_cors_from=frozenset({"img", "no-cors", "no-cors-include"}),
)
"""Chromium 156 (Chrome, Edge, Opera, Brave)."""

FIREFOX = Browser(
    name="firefox",
    option="firefox",
    label="Firefox",
    engine="Firefox 153.8 ESR",
    dropped_request_headers=frozenset(),
    extra_safelisted_headers=MappingProxyType({}),
    range_unit_any_case=False,
    max_age_cap=86400,
    wildcard_covers_authorization=True,
    preflight_cors_check_first=True,
    list_skips_empty_items=True,
    preflight_origin_tainted=False,
    redirect_keeps_body_headers=False,
    redirect_repreflights=True,
    preflight_redirect_cors_first=True,
    header_check_script_order=False,
    local_network_access=True,
    local_network_blocks_insecure_pages=False,
    mixed_content_allows_loopback=True,
    user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:153.0) Gecko/20100101 Firefox/153.0",
    accept_language="en-US,en;q=0.5",
    accept_encoding="gzip, deflate, br, zstd",
    client_hints=(),
    storage_access=False,
    priority="u=4",
    actual_order=(
        "User-Agent",
        "Accept",
        "Accept-Language",
        "Accept-Encoding",
        "Referer",
        SCRIPT,
        "Origin",
        "Cookie",
        "Sec-Fetch-Dest",
        "Sec-Fetch-Mode",
        "Sec-Fetch-Site",
        "Priority",
    ),
    preflight_order=(
        "User-Agent",
        "Accept",
        "Accept-Language",
        "Accept-Encoding",
        "Access-Control-Request-Method",
        "Access-Control-Request-Headers",
        "Referer",
        "Origin",
        "Sec-Fetch-Dest",
        "Sec-Fetch-Mode",
        "Sec-Fetch-Site",
        "Priority",
    ),
    redirected_order=(
        "User-Agent",
        "Accept",
        "Accept-Language",
        "Accept-Encoding",
        SCRIPT,
        "Origin",
        "Referer",
        "Cookie",
        "Sec-Fetch-Dest",
        "Sec-Fetch-Mode",
        "Sec-Fetch-Site",
        "Priority",
    ),
    cross_redirected_order=None,
    preflight_site_whole_chain=False,
    max_age_default=5,
    max_age_invalid=0,  # not cached: measured (a 2nd preflight within 5 s)
    max_age_negative=0,
    max_redirects=20,
    third_party_cookies="partitioned",
    same_site_lax_by_default=False,
    same_site_none_requires_secure=True,
    partitioned_cookies=True,
    cookie_checks=(
        "samesite-none-insecure",
        "partitioned-insecure",
        "invalid-domain",
        "secure-insecure-url",
        "prefix",
    ),
    http_cache_serves_cors_from=frozenset({"no-cors", "no-cors-include"}),
    http_cache_keys_credentials=True,
)
"""Firefox 153 ESR."""

WEBKIT = Browser(
    name="safari",
    option="safari",
    label="Safari",
    engine="WebKitGTK 2.50.6",
    dropped_request_headers=frozenset(),
    extra_safelisted_headers=MappingProxyType({}),
    range_unit_any_case=True,
    max_age_cap=600,
    wildcard_covers_authorization=True,
    preflight_cors_check_first=False,
    list_skips_empty_items=True,
    preflight_origin_tainted=True,
    redirect_keeps_body_headers=True,
    redirect_repreflights=False,
    preflight_redirect_cors_first=False,
    header_check_script_order=True,
    local_network_access=False,
    local_network_blocks_insecure_pages=False,
    mixed_content_allows_loopback=False,
    user_agent=(
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/26.1 Safari/605.1.15"
    ),
    accept_language="en-US,en;q=0.9",
    accept_encoding="gzip, deflate, br",
    client_hints=(),
    storage_access=False,
    priority=None,
    actual_order=(
        SCRIPT,
        "Origin",
        "Referer",
        "Accept",
        "User-Agent",
        "Accept-Encoding",
        "Accept-Language",
        "Cookie",
        "Sec-Fetch-Dest",
        "Sec-Fetch-Mode",
        "Sec-Fetch-Site",
    ),
    preflight_order=(
        "Origin",
        "Access-Control-Request-Method",
        "Referer",
        "Access-Control-Request-Headers",
        "User-Agent",
        "Accept",
        "Accept-Encoding",
        "Accept-Language",
        "Sec-Fetch-Mode",
        "Sec-Fetch-Dest",
        "Sec-Fetch-Site",
    ),
    redirected_order=None,
    cross_redirected_order=(
        SCRIPT,
        "Accept",
        "Origin",
        "Referer",
        "User-Agent",
        "Accept-Encoding",
        "Accept-Language",
        "Cookie",
    ),
    preflight_site_whole_chain=True,
    max_age_default=5,
    max_age_invalid=5,
    max_age_negative=0,
    max_redirects=20,
    location_bytes_kept=False,
    third_party_cookies="blocked",
    same_site_lax_by_default=False,
    same_site_none_requires_secure=False,
    partitioned_cookies=False,
    cookie_checks=("secure-insecure-url", "prefix", "invalid-domain"),
)
"""WebKit (Safari), as WebKitGTK 2.50 runs it."""

BROWSERS: tuple[Browser, ...] = (CHROMIUM, FIREFOX, WEBKIT)
"""Every profile, in the order reports list them."""

BY_OPTION: Mapping[str, Browser] = MappingProxyType({b.option: b for b in BROWSERS})
BY_NAME: Mapping[str, Browser] = MappingProxyType({b.name: b for b in BROWSERS})


def named(name: str) -> Browser:
    """The profile for `name`: a command-line option (`chromium`) or a report key (`chrome`).

    Raises KeyError for any other name."""
    lowered = name.lower()
    if lowered in BY_OPTION:
        return BY_OPTION[lowered]
    return BY_NAME[lowered]
