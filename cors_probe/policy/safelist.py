"""Methods and request headers: what fetch() normalises, refuses, drops, and lets through unasked.

Facts (https://fetch.spec.whatwg.org/#methods, #concept-method-normalize,
https://fetch.spec.whatwg.org/#cors-safelisted-request-header, #forbidden-request-header,
#cors-unsafe-request-header-names; measured in Chromium 156 by the browser scenarios; Chromium's
own additions are fields of `browsers.Browser`):
- `delete get head options post put` are upper-cased by fetch(); every other method is kept
  exactly as written (`patch` stays `patch`). CONNECT, TRACE, TRACK (any case) make fetch() throw.
- GET, HEAD and POST are the CORS-safelisted methods.
- Forbidden request headers are silently dropped by the browser, so never cause a preflight.
  Chromium also drops a script-set `User-Agent` (crbug 571722); the spec, Firefox and Safari do not
  (browser scenario trigger-forbidden-user-agent: no preflight, the header never arrives;
  `Browser.dropped_request_headers`).
- A header is safelisted only if its value is at most 128 bytes, it is one of Accept,
  Accept-Language, Content-Language, Content-Type, Range, and its value passes that name's rule;
  and the safelisted values together may not exceed 1024 bytes.
- Chromium alone safelists its client-hint headers when well formed (DPR, Downlink, ...;
  `Browser.extra_safelisted_headers`, from cors.cc IsCorsSafelistedHeader).
- Duplicate names are combined by the browser into one value `a, b` before any of these tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from cors_probe.codes import TriggerReason
from cors_probe.model import Headers, Trigger
from cors_probe.policy.browsers import CHROMIUM, Browser
from cors_probe.policy.grammar import parse_mime_type

NORMALISED_METHODS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"})
FORBIDDEN_METHODS = frozenset({"CONNECT", "TRACE", "TRACK"})
SAFELISTED_METHODS = frozenset({"GET", "HEAD", "POST"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods without side effects: the only ones cors-probe fires at a live server without consent."""

FORBIDDEN_HEADER_NAMES = frozenset(
    name.lower()
    for name in (
        "Accept-Charset",
        "Accept-Encoding",
        "Access-Control-Request-Headers",
        "Access-Control-Request-Method",
        "Connection",
        "Content-Length",
        "Cookie",
        "Cookie2",
        "Date",
        "DNT",
        "Expect",
        "Host",
        "Keep-Alive",
        "Origin",
        "Referer",
        "Set-Cookie",
        "TE",
        "Trailer",
        "Transfer-Encoding",
        "Upgrade",
        "Via",
    )
)
METHOD_OVERRIDE_HEADERS = frozenset(
    {"x-http-method", "x-http-method-override", "x-method-override"}
)

SIMPLE_CONTENT_TYPES = frozenset(
    {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}
)
MAX_VALUE_BYTES = 128
MAX_TOTAL_BYTES = 1024
UNSAFE_BYTES = frozenset('"():<>?@[\\]{}\x7f') | {chr(i) for i in range(0x20) if i != 0x09}
_LANGUAGE_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz *,-.;=")
_SIMPLE_RANGE = re.compile(r"bytes=(\d+)-(\d*)")
_SIMPLE_RANGE_ANY_CASE = re.compile(r"bytes=(\d+)-(\d*)", re.IGNORECASE)


def normalise_method(method: str) -> str:
    """Fetch's "normalize a method": upper-case only the six well-known methods."""
    upper = method.upper()
    return upper if upper in NORMALISED_METHODS else method


def is_forbidden_method(method: str) -> bool:
    """CONNECT, TRACE or TRACK in any case: fetch() throws (https://fetch.spec.whatwg.org/#forbidden-method)."""
    return method.upper() in FORBIDDEN_METHODS


def has_side_effects(method: str) -> bool:
    """True for anything but GET, HEAD and OPTIONS: never sent without the user's consent."""
    return normalise_method(method) not in SAFE_METHODS


def is_forbidden_header(name: str, value: str) -> bool:
    """Fetch's "forbidden request-header": the browser silently drops it."""
    lowered = name.lower()
    if lowered in FORBIDDEN_HEADER_NAMES or lowered.startswith(("proxy-", "sec-")):
        return True
    if lowered in METHOD_OVERRIDE_HEADERS:
        return any(is_forbidden_method(v.strip()) for v in value.split(","))
    return False


def _value_rule(name: str, value: str, browser: Browser) -> TriggerReason | None:
    """The per-name rule of "CORS-safelisted request-header"; None when the value passes."""
    if name == "accept":
        return TriggerReason.UNSAFE_BYTE if any(c in UNSAFE_BYTES for c in value) else None
    if name in ("accept-language", "content-language"):
        return None if all(c in _LANGUAGE_CHARS for c in value) else TriggerReason.VALUE_NOT_ALLOWED
    if name == "content-type":
        if any(c in UNSAFE_BYTES for c in value):
            return TriggerReason.UNSAFE_BYTE
        mime = parse_mime_type(value)
        if mime is None or mime.essence not in SIMPLE_CONTENT_TYPES:
            return TriggerReason.CONTENT_TYPE
        return None
    if name == "range":
        simple = _SIMPLE_RANGE_ANY_CASE if browser.range_unit_any_case else _SIMPLE_RANGE
        match = simple.fullmatch(value)
        if match is None:
            return TriggerReason.RANGE
        start, end = match.group(1), match.group(2)
        return TriggerReason.RANGE if end and int(start) > int(end) else None
    if name in browser.extra_safelisted_headers:
        pattern = browser.extra_safelisted_headers[name]
        if pattern is None or pattern.fullmatch(value):
            return None
        return TriggerReason.VALUE_NOT_ALLOWED
    return TriggerReason.HEADER_NAME


def safelist_problem(name: str, value: str, browser: Browser = CHROMIUM) -> TriggerReason | None:
    """Why (name, value) is not a CORS-safelisted request-header for `browser`; None if it is.

    `value` is the combined value as a Latin-1 decoded str; the 128-byte limit counts its bytes.
    Source: https://fetch.spec.whatwg.org/#cors-safelisted-request-header, plus
    `browser.extra_safelisted_headers` (Chromium: cors.cc IsCorsSafelistedHeader).
    """
    lowered = name.lower()
    reason = _value_rule(lowered, value, browser)
    if reason is TriggerReason.HEADER_NAME:
        return reason
    if len(value.encode("latin-1", "replace")) > MAX_VALUE_BYTES:
        return TriggerReason.VALUE_TOO_LONG
    return reason


@dataclass(frozen=True, slots=True)
class BrowserHeaders:
    """The script's headers after the browser is done with them."""

    sent: Headers
    """What goes on the wire from the script's side: duplicates combined, forbidden ones dropped,
    the body's Content-Type added."""
    dropped: tuple[tuple[str, str], ...]
    """Forbidden headers the browser dropped silently."""
    dropped_by_browser: tuple[tuple[str, str], ...]
    """Headers this browser drops beyond the spec (Chromium: User-Agent)."""


def combine(headers: Headers) -> Headers:
    """Combine duplicate names into one `a, b` value, keeping the first name's case and place."""
    order: list[str] = []
    names: dict[str, str] = {}
    values: dict[str, list[str]] = {}
    for name, value in headers:
        key = name.lower()
        if key not in values:
            order.append(key)
            names[key] = name
            values[key] = []
        values[key].append(value)
    return Headers(tuple((names[k], ", ".join(values[k])) for k in order))


def browser_headers(
    headers: Headers, body: bytes | None, browser: Browser = CHROMIUM
) -> BrowserHeaders:
    """Fetch's Request constructor and header guard, as `browser` applies them to script headers.

    `body` is the script's string body (it adds `Content-Type: text/plain;charset=UTF-8` when the
    script set none). Source: https://fetch.spec.whatwg.org/#dom-request (the "request" header
    guard, https://fetch.spec.whatwg.org/#forbidden-request-header), plus
    `browser.dropped_request_headers`. Remembered by (headers, whether there is a body, engine):
    a run's checks set the same few headers thousands of times.
    """
    return _browser_headers(headers, body is not None, _Engine(browser))


@lru_cache(maxsize=256)
def _browser_headers(headers: Headers, has_body: bool, profile: _Engine) -> BrowserHeaders:
    browser = profile.browser
    kept: list[tuple[str, str]] = []
    dropped: list[tuple[str, str]] = []
    engine: list[tuple[str, str]] = []
    for name, value in combine(headers):
        if is_forbidden_header(name, value):
            dropped.append((name, value))
        elif name.lower() in browser.dropped_request_headers:
            engine.append((name, value))
        else:
            kept.append((name, value))
    if has_body and not any(n.lower() == "content-type" for n, _ in kept):
        kept.append(("Content-Type", "text/plain;charset=UTF-8"))
    return BrowserHeaders(Headers(tuple(kept)), tuple(dropped), tuple(engine))


@dataclass(frozen=True, slots=True)
class Triggers:
    triggers: tuple[Trigger, ...]
    unsafe_names: tuple[str, ...]
    """Lower-cased, de-duplicated, sorted: the value of Access-Control-Request-Headers."""
    check_order: tuple[str, ...] = ()
    """The order Chromium checks them against Allow-Headers, which decides which missing name
    the console names: the unsafe names sorted (Blink keeps fetch headers sorted), then the
    names that only the 1024-byte rule made unsafe, sorted."""
    script_order: tuple[str, ...] = ()
    """The unsafe names in the order the script set them (lower-cased, once each): WebKit's
    check order (`Browser.header_check_script_order`)."""


def preflight_triggers(method: str, headers: Headers, browser: Browser = CHROMIUM) -> Triggers:
    """Why a preflight is needed for (normalised method, headers as sent); empty when it is not.

    https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names, including the 1024-byte
    rule, plus the method (https://fetch.spec.whatwg.org/#cors-safelisted-method).
    A conversation asks this of each URL's request three times (fetch()'s plan, the Local Network
    Access gate, the preflight stage): the answer is remembered (`_Engine`).
    """
    return _triggers(method, headers, _Engine(browser))


@dataclass(frozen=True, slots=True, eq=False)
class _Engine:
    """A Browser profile as a cache key: hashed by its name, equal only to itself (a profile holds
    a dict, so it has no hash of its own; a replaced profile of the same name is another)."""

    browser: Browser

    def __hash__(self) -> int:
        return hash(self.browser.name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Engine) and other.browser is self.browser


@lru_cache(maxsize=256)
def _triggers(method: str, headers: Headers, engine: _Engine) -> Triggers:
    browser = engine.browser
    triggers: list[Trigger] = []
    if method not in SAFELISTED_METHODS:
        triggers.append(Trigger(TriggerReason.METHOD, None, method))
    unsafe: set[str] = set()
    safe_total = 0
    safe_names: list[str] = []
    for name, value in headers:
        reason = safelist_problem(name, value, browser)
        if reason is None:
            safe_total += len(value.encode("latin-1", "replace"))
            safe_names.append(name)
        else:
            triggers.append(Trigger(reason, name, value))
            unsafe.add(name.lower())
    order = sorted(unsafe)
    if safe_total > MAX_TOTAL_BYTES:
        triggers.append(Trigger(TriggerReason.TOTAL_TOO_LONG, None, str(safe_total)))
        overflow = sorted({n.lower() for n in safe_names} - unsafe)
        order += overflow
        unsafe.update(overflow)
    in_script = tuple(dict.fromkeys(n.lower() for n, _ in headers if n.lower() in unsafe))
    return Triggers(tuple(triggers), tuple(sorted(unsafe)), tuple(order), in_script)


def engine_only_safelisted(headers: Headers, browser: Browser = CHROMIUM) -> list[tuple[str, str]]:
    """Headers `browser` lets through unasked while the spec preflights them (Chromium: the client
    hints, which Firefox and Safari preflight), as (name, value) in `headers` order."""
    return [
        (n, v)
        for n, v in headers
        if n.lower() in browser.extra_safelisted_headers and safelist_problem(n, v, browser) is None
    ]
