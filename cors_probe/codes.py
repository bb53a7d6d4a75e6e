"""The stable, public lists of codes: finding codes and preflight-trigger reasons.

These strings appear in JSON output, CI policy files and docs. A code is never renamed and never
reused for another meaning; a new one is an "Added" entry in the changelog.

For each finding code the comment names the `Finding.detail` keys it carries (besides the common
fields `url`, `first_url`, `page_origin`, `status`, `header`, `value`). Detail values are strings
unless marked: (int), (float) or (bool); the JSON output writes every one as a string.

Failure findings also carry what their fix needs (explain.fixes): `credentials` (bool) on every
CORS-check and preflight failure; `request_method`, `request_headers` (comma-joined names) on
every preflight failure; and, where the server's answer tells which layer refused
(policy.diagnosis): `diagnosis`, `refused`, `body` (the body's first characters) on
acao-missing and preflight-not-ok at the preflight, and on acao-missing and
error-status-without-cors for a 4xx/5xx actual response; `refused_before_cors` (bool) on those
two when a Fetch Metadata policy refused the request (fetch-metadata-refusal).
"""

from enum import StrEnum


class FindingCode(StrEnum):
    # --- fetch() refuses before anything is sent -------------------------------------------
    FORBIDDEN_METHOD = "forbidden-method"
    """CONNECT, TRACE or TRACK: fetch() throws. detail: method."""
    URL_CREDENTIALS = "url-credentials"
    """The request URL has user:pass@: fetch() throws."""
    BODY_NOT_ALLOWED = "body-not-allowed"
    """A body with GET or HEAD: fetch() throws. detail: method."""

    # --- what the browser silently changes ---------------------------------------------------
    FORBIDDEN_HEADER = "forbidden-header"
    """A header script may not set; the browser drops it. header, value."""
    USER_AGENT_DROPPED = "user-agent-dropped"
    """Chromium drops a script-set User-Agent; Firefox and Safari send it and preflight."""
    CHROMIUM_ONLY_SAFELISTED = "chromium-only-safelisted"
    """A client-hint header only Chromium safelists; Firefox/Safari preflight it. header."""

    # --- the CORS check (ACAO / ACAC), on a preflight or an actual response ------------------
    # A redirect response's CORS failure carries detail location (where it pointed) and, under
    # `--redirect error|manual` (not followed), redirect_mode.
    ACAO_MISSING = "acao-missing"
    ACAO_MISMATCH = "acao-mismatch"
    """value: the ACAO value; detail: request_origin (the origin it was compared with)."""
    ACAO_MULTIPLE = "acao-multiple"
    """value: all values joined with ', '; detail: request_origin, lines (int: how many
    header lines)."""
    ACAO_INVALID = "acao-invalid"
    WILDCARD_WITH_CREDENTIALS = "wildcard-with-credentials"
    ACAC_NOT_TRUE = "acac-not-true"
    """value: the ACAC value, or None when absent."""

    # --- the preflight -------------------------------------------------------------------------
    PREFLIGHT_NOT_OK = "preflight-not-ok"
    PREFLIGHT_REDIRECT = "preflight-redirect"
    """detail: location."""
    ACAM_UNPARSABLE = "acam-unparsable"
    """value: the header value; detail: item (the first item that is not a token)."""
    ACAH_UNPARSABLE = "acah-unparsable"
    """value: the header value; detail: item."""
    METHOD_NOT_ALLOWED = "method-not-allowed"
    """detail: method (as sent in Access-Control-Request-Method)."""
    HEADER_NOT_ALLOWED = "header-not-allowed"
    """detail: name (lower-cased)."""

    # --- redirects of the actual request -------------------------------------------------------
    REDIRECT_USERINFO = "redirect-userinfo"
    """detail: location."""
    REDIRECT_SCHEME = "redirect-scheme"
    """detail: location, scheme."""
    TOO_MANY_REDIRECTS = "too-many-redirects"
    REDIRECT_TAINTED_ORIGIN = "redirect-tainted-origin"
    """A cross-origin redirect made the request's origin `null`. detail: from_url, to_url."""
    REDIRECT_CHANGED_METHOD = "redirect-changed-method"
    """A 301/302 turned POST (a 303 anything but GET/HEAD) into a body-less GET. status,
    value: the Location; detail: from_method, to_method, location, body_dropped (bool). A warning
    when the request had a body."""

    # --- the network and consent ---------------------------------------------------------------
    UNREACHABLE = "unreachable"
    """No HTTP response. detail: kind (dns, refused, tls, timeout, protocol), reason."""
    CONSENT_REQUIRED = "consent-required"
    """A request with side effects was not sent for want of consent. detail: method."""

    # --- warnings: allowed today, bites later --------------------------------------------------
    VARY_ORIGIN_MISSING = "vary-origin-missing"
    """A CORS header depends on Origin without `Vary: Origin` (or `*`). value: the Vary value or
    None. On the check's own response: ACAO echoes the origin (no detail). From cors-probe's
    comparison requests (the report's cache section): detail: depends (the CORS header names
    that differ between Origins), compared (int: how many answers were compared)."""
    WILDCARD_WITH_ACAC = "wildcard-with-acac"
    """ACAO `*` together with ACAC: credentialed requests to this resource will fail."""
    MAX_AGE_MISSING = "max-age-missing"
    """detail: preflight_ms (float: the measured round trip of the preflight, in ms)."""
    MAX_AGE_CAPPED = "max-age-capped"
    """value: the header value; detail: chrome, firefox, safari (int: effective seconds)."""
    MAX_AGE_INVALID = "max-age-invalid"
    """value: the header value; detail: chrome, firefox, safari (int: effective seconds)."""
    AUTHORIZATION_WILDCARD = "authorization-wildcard"
    """Authorization is allowed only by `*` in Access-Control-Allow-Headers."""
    REQUEST_REACHED_SERVER = "request-reached-server"
    """The blocked request was sent and processed; only the response was hidden. detail: method."""
    ERROR_STATUS_WITHOUT_CORS = "error-status-without-cors"
    """A 4xx/5xx without ACAO hides the real error behind a CORS message."""
    ORIGIN_REFLECTED_WITH_CREDENTIALS = "origin-reflected-with-credentials"
    """ACAO echoes an origin cors-probe chose (or `null`) with ACAC true: any site can read
    credentialed responses. detail: origin; pattern (suffix, prefix, dot, scheme) when it is
    a lookalike of the page's origin from the cache comparison (origin-pattern-unanchored), or
    `any` when the comparison's unrelated origin was echoed (every Origin is reflected)."""
    FETCH_METADATA_REFUSAL = "fetch-metadata-refusal"
    """A 403 without CORS headers to a request marked `Sec-Fetch-Site: cross-site`: likely a
    Fetch Metadata isolation policy in front of the CORS layer. detail: mode."""
    # --- caches (cors-probe's own comparison requests: the report's cache section) ------------
    CACHED_WITHOUT_CORS = "cached-without-cors"
    """The answer without Origin (an <img>, a no-cors fetch) has no ACAO that admits the page,
    is fresh in the browser's cache and lacks `Vary: Origin`: after such a load the engine
    serves it to fetch() and blocks. status, value (its ACAO or None); detail: seconds (int:
    its freshness lifetime), freshness (max-age, expires, heuristic, ...), chrome, firefox,
    safari (the earlier loads that poison each engine's cache: `img`, `no-cors`,
    `no-cors-include`, comma-joined, "" for none)."""
    SHARED_CACHE_HIT = "shared-cache-hit"
    """Age, X-Cache, CF-Cache-Status, X-Cache-Status or Via show a cache answered. detail:
    request (the first that a cache answered: page, no-origin, other-origin, ...), hits (int:
    how many of the answers compared came from a cache), and that answer's age (int), x_cache,
    x_cache_hits, cf_cache_status, x_cache_status, via (those present)."""
    CORS_CACHED_FOR_ANOTHER_ORIGIN = "cors-cached-for-another-origin"
    """A request with another Origin, or none, got ACAO naming the page's origin: one origin's
    answer stored for everybody. value: the ACAO; detail: request, origin (sent; "" for none)."""
    ORIGIN_PATTERN_UNANCHORED = "origin-pattern-unanchored"
    """ACAO echoes a lookalike origin only a broken pattern admits (without credentials; with
    them it is origin-reflected-with-credentials, with the same detail). detail: origin,
    pattern (suffix, prefix, dot, scheme). Not told when every Origin is reflected (as `*`)."""
    PREFLIGHT_CACHED = "preflight-cached"
    """After this successful preflight each engine sends the request again without asking for
    N s: a server change is invisible there until then. detail: chrome, firefox, safari (int:
    seconds), methods, headers (comma-joined: what the entry covers)."""
    LOCAL_NETWORK_ACCESS = "local-network-access"
    """The Local Network Access gate lets the request through only with the user's permission: a
    page in a more public address space calling a more private one, from a secure context.
    Severity warning while the user will be asked (`permission` prompt), info once granted.
    detail: address (the target's IP), space (target: local or loopback), page_space (public or
    local), permission (granted or prompt), assumed (bool: the page's space was guessed),
    secure (bool: the page is a secure context), preflight (bool: the request would be
    preflighted)."""
    LOCAL_NETWORK_INSECURE_PAGE = "local-network-insecure-page"
    """Blocked before anything is sent: a page that is not a secure context calls a more private
    address space (Chromium's Local Network Access; Firefox asks instead). detail: as
    local-network-access, without permission."""
    LOCAL_NETWORK_DENIED = "local-network-denied"
    """Blocked before anything is sent: the user denied Local Network Access (`--local-network
    denied`). detail: as local-network-access."""
    MIXED_CONTENT = "mixed-content"
    """Blocked before anything is sent to this URL: an https page fetching an http URL that is not
    potentially trustworthy (a redirect's target too; WebKit blocks loopback URLs as well).
    detail: page_url (the page's URL as the engine names it: its origin and `/`), trustworthy
    (bool: the URL is potentially trustworthy, blocked only by WebKit)."""

    # --- information ---------------------------------------------------------------------------
    SAME_ORIGIN = "same-origin"
    THIRD_PARTY_ORIGIN = "third-party-origin"
    """No --origin given: probed as an unrelated site."""
    OPAQUE_ORIGIN = "opaque-origin"
    HEADERS_NOT_EXPOSED = "headers-not-exposed"
    """detail: names (comma-joined response header names script cannot read)."""
    THIRD_PARTY_COOKIES = "third-party-cookies"
    """A credentialed request to another site (not merely another origin of the same site)."""

    # --- cookies a response sets (policy/cookies.py) -------------------------------------------
    # Each carries header `Set-Cookie` (never its value) and detail: name (the cookie's name),
    # reason, engines (the report keys, comma-joined, of every engine with the same fate).
    COOKIE_REJECTED = "cookie-rejected"
    """The engine refuses to store the cookie. reason: secure-insecure-url, prefix,
    invalid-domain, partitioned-insecure, samesite-none-insecure."""
    COOKIE_NOT_SENT_CROSS_SITE = "cookie-not-sent-cross-site"
    """SameSite Lax/Strict (stated, or by default in Chromium) on a cross-site fetch: refused on
    this response and never sent cross-site. reason: lax, strict, default."""
    THIRD_PARTY_COOKIES_BLOCKED = "third-party-cookies-blocked"
    """The engine's default third-party cookie policy blocks the cookie (Safari's ITP). reason:
    empty."""
    COOKIE_PARTITIONED = "cookie-partitioned"
    """Stored in the page's top-level site's partition: sent back only from this site. reason:
    attribute (Partitioned was set) or foreign (Firefox's Total Cookie Protection)."""
    COOKIE_IGNORED_WITHOUT_CREDENTIALS = "cookie-ignored-without-credentials"
    """A cross-origin response to a fetch without `credentials: 'include'` sets a cookie: no
    engine stores it. reason: empty."""
    COOKIE_SAMESITE_INVALID = "cookie-samesite-invalid"
    """SameSite is none of Strict, Lax, None: the engine reads it as if absent. reason: what
    the engine takes it for, lax (Chromium) or none (Firefox, Safari)."""

    # --- request modes, redirect modes, Cross-Origin-Resource-Policy ---------------------------
    NO_CORS_METHOD = "no-cors-method"
    """`mode: 'no-cors'` with a method other than GET, HEAD or POST: fetch() throws. detail:
    method."""
    NO_CORS_HEADER_DROPPED = "no-cors-header-dropped"
    """`mode: 'no-cors'` silently drops a header that is not no-CORS-safelisted. header, value."""
    NO_CORS_REDIRECT_MODE = "no-cors-redirect-mode"
    """`mode: 'no-cors'` with `redirect` other than `follow`: a network error, nothing sent.
    detail: redirect."""
    SAME_ORIGIN_MODE = "same-origin-mode"
    """`mode: 'same-origin'` and a cross-origin URL (first or redirected to): a network error.
    detail: url_origin."""
    OPAQUE_RESPONSE = "opaque-response"
    """`mode: 'no-cors'` resolved with an opaque response: status 0, no header, no body for
    script. detail: real_status (int: the status the server sent)."""
    CORP_BLOCKED = "corp-blocked"
    """Cross-Origin-Resource-Policy refused a no-cors response. value: the policy; detail:
    policy, relation (cross-origin, cross-site, or cross-scheme), request_origin."""
    REDIRECT_MODE_ERROR = "redirect-mode-error"
    """`redirect: 'error'` and a redirect response: a network error. detail: location."""
    OPAQUE_REDIRECT = "opaque-redirect"
    """`redirect: 'manual'` resolved with an opaque-redirect response: status 0, no Location.
    detail: location, real_status (int)."""


class TriggerReason(StrEnum):
    """Why one part of the request makes the browser send a preflight."""

    METHOD = "method"
    """The method is not GET, HEAD or POST (after normalisation)."""
    HEADER_NAME = "header-name"
    """The header's name is not a CORS-safelisted request-header."""
    CONTENT_TYPE = "content-type"
    """Content-Type's essence is not one of the three simple types, or it does not parse."""
    UNSAFE_BYTE = "unsafe-byte"
    """The value holds a CORS-unsafe request-header byte."""
    VALUE_TOO_LONG = "value-too-long"
    """The value is longer than 128 bytes."""
    VALUE_NOT_ALLOWED = "value-not-allowed"
    """The value breaks the header's own rule (language tags, client hints)."""
    RANGE = "range"
    """Range is not one simple byte range."""
    TOTAL_TOO_LONG = "total-too-long"
    """The safelisted values add up to more than 1024 bytes."""
    REDIRECT = "redirect"
    """The request was preflighted before a redirect: Firefox preflights every later hop."""


CACHE_PROBE_CODES = frozenset(
    {
        FindingCode.CACHED_WITHOUT_CORS,
        FindingCode.SHARED_CACHE_HIT,
        FindingCode.CORS_CACHED_FOR_ANOTHER_ORIGIN,
        FindingCode.ORIGIN_PATTERN_UNANCHORED,
        FindingCode.PREFLIGHT_CACHED,
    }
)
"""The codes only `check`'s cache probe (its own extra requests) can find: `run` sends no such
request, so a policy file that forbids or requires one would pass or fail for nothing."""
