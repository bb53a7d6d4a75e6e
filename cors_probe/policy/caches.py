"""Caches that turn a working API into a CORS error: the pure rules (sans-I/O).

Three caches stand between a server and fetch():

- The browser's HTTP cache (a private cache, RFC 9111). A response first loaded without CORS (an
  `<img>`, a `fetch(url, {mode: 'no-cors'})`, a navigation: no `Origin` header) is stored; a later
  `fetch()` in cors mode to the same URL is served that stored response, without
  `Access-Control-Allow-Origin`, unless `Vary` names `Origin`
  (https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches). Measured (the referee's
  tests/browser/test_http_cache.py): Chromium reuses it after an `<img>` and after a no-cors
  fetch, with or without credentials (an `<img>`'s other `Accept` protects only when `Vary`
  names `Accept`); Firefox after a no-cors fetch in the same credentials mode only (its image
  loads do not feed fetch()); WebKit never (it asks the server again). Each engine's facts are
  `Browser.http_cache_serves_cors_from` and `Browser.http_cache_keys_credentials`.
- A shared cache or CDN that stores one answer for every Origin.
- The preflight cache (https://fetch.spec.whatwg.org/#cors-preflight-cache): keyed by the page's
  origin, the URL and the credentials mode (Chromium also by network isolation key:
  services/network/cors/preflight_cache.cc), it holds the methods and header names a preflight
  granted, for Access-Control-Max-Age seconds (capped per engine); a later request whose method
  and headers are all granted is sent without a preflight (Firefox nsCORSListenerProxy.cpp,
  nsPreflightCache::CacheEntry::CheckRequest; WebKit CrossOriginPreflightResultCache.cpp).

Every function here is handed responses and returns facts or findings; `usecases/caches.py` sends
the requests.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from cors_probe.codes import FindingCode
from cors_probe.model import (
    DetailValue,
    Finding,
    Headers,
    Origin,
    PreflightCacheEntry,
    Severity,
    WireResponse,
)
from cors_probe.policy.access import ACAC, ACAO, ACEH
from cors_probe.policy.advice import MAX_AGE, effective_max_age
from cors_probe.policy.browsers import Browser
from cors_probe.policy.findings import Where
from cors_probe.policy.grammar import parse_token_list, trim
from cors_probe.policy.grammar import vary_covers_origin as vary_covers_origin
from cors_probe.policy.grammar import vary_names as vary_names
from cors_probe.policy.preflight import ACAH, ACAM

CORS_RESPONSE_HEADERS = (ACAO, ACAC, ACEH, ACAM, ACAH, MAX_AGE)
"""The CORS response headers (https://fetch.spec.whatwg.org/#http-responses), in report order."""

HEURISTIC_STATUSES = frozenset({200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501})
"""Status codes heuristically cacheable (RFC 9110 section 15.1)."""

HEURISTIC_FRACTION = 10
"""A heuristic freshness lifetime is (Date - Last-Modified) / 10 (RFC 9111 section 4.2.2, the
fraction Chromium's HttpResponseHeaders::GetFreshnessLifetimes and Firefox use)."""


def _directives(headers: Headers) -> dict[str, str | None]:
    """Cache-Control directives, lower-cased names, values unquoted (None: no value)."""
    found: dict[str, str | None] = {}
    for value in headers.get_all("Cache-Control"):
        for item in value.split(","):
            name, eq, argument = trim(item).partition("=")
            if name:
                found.setdefault(name.lower(), trim(argument).strip('"') if eq else None)
    return found


def _seconds(text: str | None) -> int | None:
    if text is None or not text.isdigit():
        return None
    return int(text)


def _date(headers: Headers, name: str) -> float | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True, slots=True)
class Freshness:
    """How long a cache may hand a stored response out without asking the server again."""

    seconds: int
    """Freshness lifetime in seconds; 0 when not stored or stale at once (must revalidate)."""
    source: str
    """Why: `no-store`, `private`, `no-cache`, `s-maxage`, `max-age`, `expires`, `heuristic`,
    `status` (not heuristically cacheable) or `none` (no freshness information)."""


def freshness(response: WireResponse, *, shared: bool) -> Freshness:
    """The freshness lifetime a private (`shared=False`, the browser's) or shared (a CDN's) cache
    gives `response` to a GET. RFC 9111 sections 3 (storing), 4.2.1 (lifetime) and 4.2.2
    (heuristics); a response that must be revalidated counts 0 s (the revalidation reaches the
    server, with Origin)."""
    headers = response.headers
    directives = _directives(headers)
    if "no-store" in directives:
        return Freshness(0, "no-store")
    if shared and "private" in directives:
        return Freshness(0, "private")
    if "no-cache" in directives:
        return Freshness(0, "no-cache")
    if shared and (s_maxage := _seconds(directives.get("s-maxage"))) is not None:
        return Freshness(s_maxage, "s-maxage")
    if (max_age := _seconds(directives.get("max-age"))) is not None:
        return Freshness(max_age, "max-age")
    expires = headers.get("Expires")
    if expires is not None:
        at, now = _date(headers, "Expires"), _date(headers, "Date")
        lifetime = int(at - now) if at is not None and now is not None else 0
        return Freshness(max(lifetime, 0), "expires")
    if response.status not in HEURISTIC_STATUSES:
        return Freshness(0, "status")
    modified, now = _date(headers, "Last-Modified"), _date(headers, "Date")
    if modified is not None and now is not None and now > modified:
        return Freshness(int(now - modified) // HEURISTIC_FRACTION, "heuristic")
    return Freshness(0, "none")


CACHE_MARKERS = ("Age", "X-Cache", "X-Cache-Hits", "CF-Cache-Status", "X-Cache-Status", "Via")
"""Response headers by which caches and CDNs say they are there (Age: RFC 9111 section 5.1;
Via: RFC 9110 section 7.6.3; the X- and CF- ones are Varnish's, Fastly's, CloudFront's,
nginx's and Cloudflare's own)."""

_HIT_WORDS = ("hit", "stale", "updating", "revalidated")


def cache_markers(headers: Headers) -> dict[str, str]:
    """The cache marker headers present, name (canonical case) -> value."""
    return {name: value for name in CACHE_MARKERS if (value := headers.get(name)) is not None}


def served_from_cache(headers: Headers) -> bool:
    """Whether the markers say this answer came from a cache: Age above 0, or an X-Cache /
    CF-Cache-Status / X-Cache-Status that says HIT (STALE, UPDATING, REVALIDATED count too)."""
    markers = cache_markers(headers)
    age = _seconds(trim(markers.get("Age", "")))
    if age is not None and age > 0:
        return True
    words = (markers.get(n, "").lower() for n in ("X-Cache", "CF-Cache-Status", "X-Cache-Status"))
    return any(word in text for text in words for word in _HIT_WORDS)


def cors_values(headers: Headers) -> dict[str, str | None]:
    """Each CORS response header's value (None when absent), in `CORS_RESPONSE_HEADERS` order."""
    return {name: headers.get(name) for name in CORS_RESPONSE_HEADERS}


def origin_dependent(answers: Sequence[Headers]) -> tuple[str, ...]:
    """The CORS response headers whose value (or presence) differs between answers to the same
    request sent with different Origin headers (or none): the headers that depend on Origin."""
    values = [cors_values(headers) for headers in answers]
    return tuple(name for name in CORS_RESPONSE_HEADERS if len({v[name] for v in values}) > 1)


def passes_origin(headers: Headers, page: str, credentials: bool) -> bool:
    """Whether ACAO (one value) admits `page`: `*` without credentials or the page's origin
    (https://fetch.spec.whatwg.org/#concept-cors-check, without ACAC: the conversation says
    the rest)."""
    values = headers.get_all(ACAO)
    if len(values) != 1:
        return False
    value = trim(values[0])
    return value == page or (value == "*" and not credentials)


# --- the unanchored-pattern lookalikes ------------------------------------------------------

LOOKALIKE_SUFFIX = "cors-probe.test"
LOOKALIKE_PREFIX = "cors-probe-"


def lookalikes(page: Origin) -> dict[str, str]:
    """Origins only a broken pattern for `page` admits, by kind: `suffix` (the page's host
    followed by `.cors-probe.test`: an unanchored end), `prefix` (`cors-probe-` before the host:
    an unanchored start), `dot` (a dot of the host replaced by `x`: an unescaped `.` in a
    regular expression), `scheme` (http: for an https: page: a pattern without its scheme).
    None for an opaque page."""
    if page.opaque:
        return {}
    port = f":{page.port}" if page.port is not None else ""
    host = page.host
    found = {
        "suffix": f"{page.scheme}://{host}.{LOOKALIKE_SUFFIX}{port}",
        "prefix": f"{page.scheme}://{LOOKALIKE_PREFIX}{host}{port}",
    }
    head, dot, tail = host.partition(".")
    if dot and "." in tail and not host[0].isdigit() and not host.startswith("["):
        found["dot"] = f"{page.scheme}://{head}x{tail}{port}"
    if page.scheme == "https":
        found["scheme"] = f"http://{host}{port}"
    return found


def echoes(response: WireResponse, origin: str) -> bool:
    """Whether ACAO is exactly `origin` (trimmed)."""
    acao = response.headers.get(ACAO)
    return acao is not None and trim(acao) == origin


def allows_credentials(response: WireResponse) -> bool:
    """Whether Access-Control-Allow-Credentials is exactly `true`."""
    return response.headers.get(ACAC) == "true"


def echoed_lookalike(
    where: Where, kind: str, origin: str, response: WireResponse
) -> Finding | None:
    """The server echoed a lookalike `origin` (kind as in `lookalikes`): its allow-list is an
    unanchored pattern. With `Access-Control-Allow-Credentials: true` that is
    `origin-reflected-with-credentials` (a warning of error weight: any site that registers such
    a name reads credentialed responses); without, `origin-pattern-unanchored` (a warning).
    detail: origin, pattern (the kind; `any` when an unrelated second origin was echoed: the
    server reflects every Origin). Source: https://portswigger.net/web-security/cors."""
    headers = response.headers
    acao = headers.get(ACAO)
    if acao is None or trim(acao) != origin:
        return None
    credentials = headers.get(ACAC) == "true"
    code = (
        FindingCode.ORIGIN_REFLECTED_WITH_CREDENTIALS
        if credentials
        else FindingCode.ORIGIN_PATTERN_UNANCHORED
    )
    return where.finding(
        code, Severity.WARNING, header=ACAO, value=acao, detail={"origin": origin, "pattern": kind}
    )


# --- findings from the comparison -------------------------------------------------------------


def vary_missing(
    where: Where, page_answer: WireResponse, answers: Sequence[WireResponse]
) -> Finding | None:
    """`vary-origin-missing` from the comparison: some CORS header depends on Origin (`answers`
    are the same request with other Origins or none) and the page's answer is storable but `Vary`
    does not name Origin. detail: depends (comma-joined header names), compared (int: answers
    compared, the page's included). Source: https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches."""
    depends = origin_dependent([page_answer.headers, *(a.headers for a in answers)])
    if not depends or vary_covers_origin(page_answer.headers):
        return None
    if freshness(page_answer, shared=False).source == "no-store":
        return None
    vary = page_answer.headers.get("Vary")
    return where.finding(
        FindingCode.VARY_ORIGIN_MISSING,
        Severity.WARNING,
        header="Vary",
        value=vary,
        detail={"depends": ", ".join(depends), "compared": len(answers) + 1},
    )


def cached_without_cors(
    where: Where,
    no_origin: WireResponse,
    *,
    page: str,
    credentials: bool,
    engines: Mapping[str, Browser],
) -> Finding | None:
    """`cached-without-cors`: the answer to the request without Origin (what an `<img>` or a
    no-cors fetch() gets) has no ACAO that admits the page, is fresh in the browser's cache and
    `Vary` does not name Origin: an engine that first loads the URL so serves it to fetch()
    from its cache, and blocks. detail: seconds (int: its freshness lifetime), freshness (its
    source, as `Freshness.source`), and per engine report key the earlier loads that poison
    its cache (comma-joined `img`, `no-cors`; "" when none)."""
    if passes_origin(no_origin.headers, page, credentials):
        return None
    if vary_covers_origin(no_origin.headers):
        return None
    fresh = freshness(no_origin, shared=False)
    if fresh.seconds <= 0:
        return None
    detail: dict[str, DetailValue] = {"seconds": fresh.seconds, "freshness": fresh.source}
    for name, browser in engines.items():
        detail[name] = ", ".join(poisoning_loads(browser, no_origin.headers, credentials))
    return where.finding(
        FindingCode.CACHED_WITHOUT_CORS,
        Severity.WARNING,
        status=no_origin.status,
        header=ACAO,
        value=no_origin.headers.get(ACAO),
        detail=detail,
    )


LOADS = ("img", "no-cors", "no-cors-include")
"""The loads without CORS, in report order (see `Browser.http_cache_serves_cors_from`)."""
_CREDENTIALED_LOADS = frozenset({"img", "no-cors-include"})
"""Those that send credentials to another site (an <img> does by default)."""


def poisoning_loads(browser: Browser, headers: Headers, credentials: bool) -> tuple[str, ...]:
    """The earlier loads whose cached answer `browser` would serve to a later fetch() in cors
    mode (with `credentials`: 'include'), given the answer's `Vary`: an <img> sends another
    `Accept` than fetch(), so `Vary: Accept` keeps them apart (measured in Chromium); an engine
    whose cache keys on credentials (`http_cache_keys_credentials`) is poisoned only by a load
    in the same credentials mode."""
    names = vary_names(headers)
    return tuple(
        load
        for load in LOADS
        if load in browser.http_cache_serves_cors_from
        and not (load == "img" and "accept" in names)
        and not (
            browser.http_cache_keys_credentials and (load in _CREDENTIALED_LOADS) is not credentials
        )
    )


def shared_cache_hit(where: Where, label: str, response: WireResponse) -> Finding | None:
    """`shared-cache-hit` (info): the markers (`cache_markers`) say a shared cache answered.
    detail: request (which of cors-probe's requests: `page`, `no-origin`, ...), and each marker
    header present, keyed by its lower-cased name with `-` as `_` (age: int)."""
    if not served_from_cache(response.headers):
        return None
    detail: dict[str, DetailValue] = {"request": label}
    for name, value in cache_markers(response.headers).items():
        key = name.lower().replace("-", "_")
        seconds = _seconds(trim(value)) if name == "Age" else None
        detail[key] = seconds if seconds is not None else value
    return where.finding(FindingCode.SHARED_CACHE_HIT, Severity.INFO, detail=detail)


def answer_for_another(
    where: Where, label: str, sent_origin: str | None, response: WireResponse, page: str
) -> Finding | None:
    """`cors-cached-for-another-origin`: a request with another Origin (or none) got, from a
    shared cache (`served_from_cache`: Age, X-Cache HIT...), an ACAO naming the page's origin:
    the cache stored the page's answer for everybody. Without a cache's marker it is a server
    that names one site whatever the Origin, which caches cannot confuse: nothing to tell.
    detail: request (`no-origin`, `other-origin`), origin (the Origin sent, "" when none)."""
    acao = response.headers.get(ACAO)
    if acao is None or trim(acao) != page or sent_origin == page:
        return None
    if not served_from_cache(response.headers):
        return None
    return where.finding(
        FindingCode.CORS_CACHED_FOR_ANOTHER_ORIGIN,
        Severity.WARNING,
        header=ACAO,
        value=acao,
        detail={"request": label, "origin": sent_origin or ""},
    )


# --- the preflight cache ------------------------------------------------------------------------


def preflight_entries(
    response: WireResponse, method: str, engines: Sequence[Browser]
) -> dict[str, PreflightCacheEntry]:
    """Per engine report key, the entry a successful preflight answered by `response` leaves in
    its preflight cache for a request with `method`. Lifetimes from `effective_max_age` (each
    profile's max_age_* fields); methods and headers as https://fetch.spec.whatwg.org/#cors-preflight-fetch
    step 10 stores them."""
    headers = response.headers
    seconds = effective_max_age(headers.get(MAX_AGE), engines[0])
    methods = [trim(m) for m in parse_token_list(headers.get(ACAM)).items]
    if method not in methods:
        methods.append(method)
    names = tuple(trim(n).lower() for n in parse_token_list(headers.get(ACAH)).items)
    return {b.name: PreflightCacheEntry(seconds[b.name], tuple(methods), names) for b in engines}


def preflight_cached(where: Where, entries: Mapping[str, PreflightCacheEntry]) -> Finding | None:
    """`preflight-cached` (info): for N s after this successful preflight an engine sends the
    same request again without asking, so a server change is invisible there until then.
    detail: per engine report key, the seconds (int); methods, headers (comma-joined, as the
    first engine caches them). None when no engine caches it."""
    if not entries or all(e.seconds <= 0 for e in entries.values()):
        return None
    first = next(iter(entries.values()))
    detail: dict[str, DetailValue] = {name: e.seconds for name, e in entries.items()}
    detail["methods"] = ", ".join(first.methods)
    detail["headers"] = ", ".join(first.headers)
    return where.finding(FindingCode.PREFLIGHT_CACHED, Severity.INFO, header=MAX_AGE, detail=detail)
