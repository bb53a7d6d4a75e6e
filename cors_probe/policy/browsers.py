"""The browser seam: every fact in which the engine's verdict follows one browser, not the spec.

The rule modules (safelist.py, preflight.py, access.py, advice.py, redirect.py) read these fields
where the spec leaves room or a browser deviates from it; the conversation is handed a `Browser`
(`conversation.converse(shape, browser=CHROMIUM)`). `CHROMIUM` is the only profile today: the
facts below were measured in Chromium 156 by the browser scenarios (tests/browser) or read in its
source, services/network/public/cpp/cors/ (cors.cc, preflight_result.cc) and
services/network/cors/cors_url_loader.cc.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

_DECIMAL = re.compile(r"\d+(\.\d+)?")
_INTEGER = re.compile(r"\d+")


@dataclass(frozen=True, slots=True)
class Browser:
    """One engine's CORS behaviour, where it is not simply the Fetch Standard's."""

    name: str
    """The key the per-browser facts use (`chrome`, as in the Max-Age advice's detail)."""

    dropped_request_headers: frozenset[str]
    """Lower-cased names the browser silently drops from script headers besides Fetch's
    forbidden request-headers (https://fetch.spec.whatwg.org/#forbidden-request-header), so they
    never trigger a preflight. Chromium: `user-agent` (crbug 571722; browser scenario
    trigger-forbidden-user-agent: no preflight, the header never arrives)."""

    extra_safelisted_headers: Mapping[str, re.Pattern[str] | None]
    """Lower-cased names safelisted beyond https://fetch.spec.whatwg.org/#cors-safelisted-request-header,
    each with the pattern its whole value must match (None: any value). Chromium: the client hints
    DPR, Device-Memory, Width, Viewport-Width, Downlink, RTT, ECT, Save-Data and Intervention
    (IsCorsSafelistedHeader in services/network/public/cpp/cors/cors.cc); Firefox and Safari
    preflight them."""

    max_age_default: int
    """Seconds a preflight is cached for when Access-Control-Max-Age is absent or empty (5 in
    every engine, as https://fetch.spec.whatwg.org/#cors-preflight-fetch says)."""

    max_age_cap: int
    """The most seconds a preflight is cached for. Chromium: 7200 (preflight_result.cc,
    kMaxTimeout)."""

    max_age_invalid: int
    """Seconds cached for a value that is not an integer. Chromium: the default, 5."""

    max_age_negative: int
    """Seconds cached for a negative value. Chromium: 0 (not cached)."""

    wildcard_covers_authorization: bool
    """Whether `*` in Access-Control-Allow-Headers (without credentials) covers `authorization`.
    The spec says never (https://fetch.spec.whatwg.org/#cors-preflight-fetch); Chromium
    156 ships with CorsNonWildcardRequestHeadersSupport disabled and allows it (browser scenario
    allow-headers-wildcard-authorization), so the verdict is allowed and advice warns."""

    preflight_cors_check_first: bool
    """Whether the preflight's CORS check (ACAO, ACAC) comes before its 2xx status check, which
    decides the console message when both fail. Chromium: True (cors_url_loader.cc /
    preflight_controller.cc); WebKit checks the status first."""

    list_skips_empty_items: bool
    """Whether Access-Control-Allow-Methods/-Headers skip empty list items (`a, , b`) rather than
    fail to parse. Chromium: True (ParseAccessControlAllowList in preflight_result.cc; browser
    scenario allow-headers-empty-elements is allowed)."""

    max_redirects: int
    """Redirects followed at most; the next one is a network error. Chromium: 20, as the spec's
    https://fetch.spec.whatwg.org/#http-redirect-fetch (`net::ERR_TOO_MANY_REDIRECTS`; browser
    scenario redirect-loop)."""

    local_network_access: bool
    """Whether a public page needs the user's permission to call a private or loopback address
    (Local Network Access, Chromium 142+), refused outright from an insecure page."""


CHROMIUM = Browser(
    name="chrome",
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
    max_age_default=5,
    max_age_cap=7200,
    max_age_invalid=5,
    max_age_negative=0,
    wildcard_covers_authorization=True,
    preflight_cors_check_first=True,
    list_skips_empty_items=True,
    max_redirects=20,
    local_network_access=True,
)
"""Chromium 156, the browser the verdict follows."""
