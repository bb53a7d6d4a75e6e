"""Plain values shared by every layer: what the page asks for, the wire, the findings.

Standard library only. Everything is frozen: the policy core is handed facts and returns new facts.
Header values are `str` holding the wire bytes decoded as Latin-1, so every byte the server sent
survives unchanged (Chromium echoes non-ASCII bytes as `\\u00XX`, which needs the raw byte).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING

from cors_probe.codes import FindingCode, TriggerReason

if TYPE_CHECKING:
    from cors_probe.policy.url import Url


@dataclass(frozen=True, slots=True)
class Headers:
    """An ordered list of (name, value) pairs as seen on the wire.

    Duplicates and the original name case are kept: two `Access-Control-Allow-Origin` lines are a
    different fact from one line with a comma. Look-ups are case-insensitive, through an index
    (lower-cased name -> values in order) built at the first look-up and kept with the object;
    it is no part of equality, hashing or repr.
    """

    pairs: tuple[tuple[str, str], ...] = ()
    _index: dict[str, list[str]] | None = field(default=None, init=False, repr=False, compare=False)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.pairs)

    def __len__(self) -> int:
        return len(self.pairs)

    def _lookup(self) -> dict[str, list[str]]:
        """The index: each lower-cased name -> its values in wire order (built once)."""
        index = self._index
        if index is None:
            index = {}
            for name, value in self.pairs:
                lowered = name.lower()
                if lowered in index:
                    index[lowered].append(value)
                else:
                    index[lowered] = [value]
            object.__setattr__(self, "_index", index)
        return index

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._lookup()

    def get_all(self, name: str) -> list[str]:
        """Every value sent under `name`, in order (a new list)."""
        return list(self._lookup().get(name.lower(), ()))

    def get(self, name: str) -> str | None:
        """The Fetch Standard's "get": all values joined with ", ", or None when absent."""
        values = self._lookup().get(name.lower())
        return ", ".join(values) if values else None

    def names(self) -> list[str]:
        return [n for n, _ in self.pairs]

    def lowered_names(self) -> list[str]:
        """Each name lower-cased, once, in the order first sent."""
        return list(self._lookup())

    @classmethod
    def of(cls, *pairs: tuple[str, str]) -> Headers:
        return cls(tuple(pairs))


@dataclass(frozen=True, slots=True)
class Origin:
    """A tuple origin (scheme, host, port), or the opaque origin that serialises as `null`."""

    scheme: str
    host: str
    """Serialised host: lower case, ASCII (punycode), IPv6 in brackets."""
    port: int | None = None
    """None when the port is the scheme's default."""
    opaque: bool = False
    _text: str | None = field(default=None, init=False, repr=False, compare=False)
    """`serialise()`'s answer, once asked; no part of equality, hash or repr."""

    def serialise(self) -> str:
        text = self._text
        if text is None:
            port = f":{self.port}" if self.port is not None else ""
            text = "null" if self.opaque else f"{self.scheme}://{self.host}{port}"
            object.__setattr__(self, "_text", text)
        return text

    @classmethod
    def null(cls) -> Origin:
        return cls(scheme="", host="", port=None, opaque=True)


class RequestMode(StrEnum):
    """fetch()'s `mode` (https://fetch.spec.whatwg.org/#concept-request-mode)."""

    CORS = "cors"
    NO_CORS = "no-cors"
    """No CORS flag, no preflight, an opaque response; safelisted methods and headers only."""
    SAME_ORIGIN = "same-origin"
    """A cross-origin URL (first or redirected to) is a network error."""


class RedirectMode(StrEnum):
    """fetch()'s `redirect` (https://fetch.spec.whatwg.org/#concept-request-redirect-mode)."""

    FOLLOW = "follow"
    ERROR = "error"
    """A redirect response is a network error."""
    MANUAL = "manual"
    """A redirect response resolves as an opaque-redirect response (status 0)."""


class ResponseType(StrEnum):
    """`response.type` of a resolved fetch() (https://fetch.spec.whatwg.org/#concept-response-type)."""

    BASIC = "basic"
    CORS = "cors"
    OPAQUE = "opaque"
    OPAQUE_REDIRECT = "opaqueredirect"


class AddressSpace(StrEnum):
    """An IP address space, in Chromium's current names (Local Network Access; "private" was
    the old name for `local`): https://wicg.github.io/local-network-access/#ip-address-space."""

    PUBLIC = "public"
    LOCAL = "local"
    LOOPBACK = "loopback"


class LocalNetworkPermission(StrEnum):
    """The user's answer to Chromium's Local Network Access prompt (`--local-network`)."""

    GRANTED = "granted"
    DENIED = "denied"
    PROMPT = "prompt"
    """Not answered yet: the user will be asked."""


@dataclass(frozen=True, slots=True)
class RequestShape:
    """What the page's script asks fetch() for."""

    url: str
    """The target URL, serialised the way a browser's URL parser does (fragment removed)."""
    origin: Origin
    """The page's origin."""
    method: str = "GET"
    """The method exactly as the script wrote it (`patch` stays `patch`)."""
    headers: Headers = field(default_factory=Headers)
    """The headers the script sets, in order, before the browser drops any."""
    credentials: bool = False
    """True for `credentials: 'include'`."""
    body: bytes | None = None
    """A string body; fetch() then adds `Content-Type: text/plain;charset=UTF-8` if none is set."""
    cookie: str | None = None
    """The Cookie header the browser's cookie jar would add to a credentialed request."""
    origin_given: bool = True
    """False when the user gave no origin and we probe as an unrelated third-party site."""
    user_agent: str | None = None
    """The User-Agent to send instead of the engine's own (`--user-agent`)."""
    mode: RequestMode = RequestMode.CORS
    """fetch()'s `mode` (`--mode`)."""
    redirect: RedirectMode = RedirectMode.FOLLOW
    """fetch()'s `redirect` (`--redirect`)."""
    page_address_space: AddressSpace | None = None
    """The page's address space (`--page-address-space`, or classified from `origin`); None
    when it does not apply (an opaque origin) or is not known."""
    page_address_space_assumed: bool = False
    """True when `page_address_space` is a guess: the origin's host name did not resolve in
    time and the page was taken to be public."""
    local_network: LocalNetworkPermission | None = None
    """The user's answer to Local Network Access (`--local-network`); None: not said (a prompt)."""
    parsed_url: Url | None = field(default=None, compare=False, repr=False)
    """`url` parsed (policy.url.parse_url), when its builder has parsed it already: a policy
    file's loader parses every URL to validate it, and a run's checks outnumber parse_url's
    cache. No part of equality or repr; `prepare` uses it only when it serialises to `url`."""


@dataclass(frozen=True, slots=True)
class WireRequest:
    """One request as it is (or would be) sent."""

    method: str
    url: str
    headers: Headers
    body: bytes | None = None


@dataclass(frozen=True, slots=True)
class WireResponse:
    """One response as received: status, raw header pairs, timing."""

    status: int
    headers: Headers
    reason: str = ""
    http_version: str = "HTTP/1.1"
    elapsed_ms: float = 0.0
    """Round trip from sending the request to receiving the headers, in milliseconds."""
    body_bytes: int = 0
    """How many body bytes were read (up to the cap)."""
    body_truncated: bool = False
    """True when the body was longer than the cap and the rest was not read."""
    server_ip: str | None = None
    """The address actually connected to, when the transport tells."""
    sent_headers: Headers | None = None
    """The request headers the client really put on the wire, when the transport tells."""
    retried: bool = False
    """Sent a second time, on a new connection: the kept-alive one it first went out on was
    closed by the server before any byte of a response (browsers retry so, idempotent only)."""
    assumed: tuple[str, ...] = ()
    """Lower-cased names of the headers in `headers` that the server did not send: the user
    asked to assume them (`check --assume-header`), replacing any it sent under that name."""
    body: bytes = b""
    """The first bytes of the body as received (at most `BODY_KEPT`, before any decoding of a
    Content-Encoding): where frameworks say why they refused a request."""


BODY_KEPT = 4096
"""How many body bytes a WireResponse keeps (`WireResponse.body`)."""


class FailureKind(StrEnum):
    DNS = "dns"
    REFUSED = "refused"
    TLS = "tls"
    TIMEOUT = "timeout"
    PROTOCOL = "protocol"
    """The server answered with something that is not HTTP, or closed the connection."""
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class TransportFailure:
    """No HTTP response was received for a request."""

    kind: FailureKind
    message: str


class ExchangeKind(StrEnum):
    PREFLIGHT = "preflight"
    ACTUAL = "actual"


@dataclass(frozen=True, slots=True)
class Exchange:
    """One round trip (or one request that was planned but not sent)."""

    kind: ExchangeKind
    request: WireRequest
    response: WireResponse | None = None
    failure: TransportFailure | None = None
    hop: int = 0
    """0 for the first URL, n for the n-th redirect target."""
    withheld: bool = False
    """True when the request was not sent for want of consent, or in a dry run."""


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


DetailValue = str | int | float | bool
"""A typed fact in `Finding.detail`: int for seconds and counts, float for milliseconds, bool for
yes/no facts, str otherwise. The renderers turn them into words; the core never formats them."""


def _no_detail() -> Mapping[str, DetailValue]:
    return MappingProxyType({})


class Stage(StrEnum):
    REQUEST = "request"
    """Before the network: what fetch() itself does with the script's request."""
    PREFLIGHT = "preflight"
    ACTUAL = "actual"


@dataclass(frozen=True, slots=True)
class Finding:
    """One fact worth telling, with a stable code. Words come from `explain`."""

    code: FindingCode
    severity: Severity
    stage: Stage
    url: str = ""
    """The URL of the request concerned (the failing one, for a block)."""
    first_url: str = ""
    """The fetch's first URL; differs from `url` after redirects ("redirected from")."""
    page_origin: str = ""
    """The page's serialised origin, as Chromium prints it in "from origin '...'"."""
    status: int | None = None
    """The status of the response concerned, if any."""
    header: str | None = None
    """The header concerned, in canonical case."""
    value: str | None = None
    """The raw value of that header as sent (Latin-1 decoded), None when absent."""
    detail: Mapping[str, DetailValue] = field(default_factory=_no_detail)
    """Further facts, by code (see `codes.FindingCode`): a read-only copy of what was given."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "detail", MappingProxyType(dict(self.detail)))


@dataclass(frozen=True, slots=True)
class Trigger:
    """One reason a preflight is needed."""

    reason: TriggerReason
    name: str | None = None
    """The header name as the script wrote it; None for the method and the 1024-byte total."""
    value: str | None = None
    """The header value, or the method."""


@dataclass(frozen=True, slots=True)
class PreflightPlan:
    """Whether the browser sends a preflight before the actual request, why, and what exactly."""

    required: bool
    triggers: tuple[Trigger, ...] = ()
    method: str = "GET"
    """The normalised method of the actual request."""
    unsafe_names: tuple[str, ...] = ()
    """Access-Control-Request-Headers as a list: lower-cased, de-duplicated, sorted."""
    request: WireRequest | None = None
    """The exact OPTIONS request, when required."""


@dataclass(frozen=True, slots=True)
class HopPreflight:
    """The preflight question at one URL of the fetch (hop 0 the first URL, n the n-th
    redirect target): whether the CORS flag was set there, and the plan for that request."""

    hop: int
    url: str
    cors: bool
    """Fetch's CORS flag at this URL: False while the fetch is same-origin to the page."""
    plan: PreflightPlan
    """Required only with the CORS flag set and a trigger (Firefox: also a re-preflight after a
    redirect, `TriggerReason.REDIRECT`)."""


class Verdict(StrEnum):
    ALLOWED = "allowed"
    BLOCKED = "blocked"
    INCOMPLETE = "incomplete"
    UNREACHABLE = "unreachable"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the whole conversation concluded: the policy core's answer."""

    verdict: Verdict
    findings: tuple[Finding, ...]
    exchanges: tuple[Exchange, ...]
    decisive: Finding | None = None
    """The finding that decided a block (or incompleteness, or unreachability)."""
    final_status: int | None = None
    """The status the page's script would see, when the fetch resolves."""
    readable_headers: tuple[str, ...] = ()
    """Response header names script can read with response.headers.get(), when allowed."""
    plan: PreflightPlan = PreflightPlan(required=False)
    """The fetch's preflight (the report's `preflight`): the plan of the first URL that needs
    one, which may be a redirect target (the request became cross-origin, or Firefox
    preflights again), else the first URL's; not required when fetch() refused the request
    before planning, or when no URL of the fetch needs one."""
    hops: tuple[HopPreflight, ...] = ()
    """The preflight question at each URL the fetch reached, in order."""
    response_type: ResponseType | None = None
    """`response.type` when the fetch resolves: an opaque one has status 0 and no readable
    header (`final_status` is then 0)."""


@dataclass(frozen=True, slots=True)
class Contrast:
    """How an engine that was not run would decide, told from the answers the run received."""

    browser: str
    """The engine's report key (`chrome`, `firefox`, `safari`)."""
    verdict: Verdict | None
    """Its verdict; None when it cannot be told: it would send a request that was not sent."""
    plan: PreflightPlan
    """Its preflight plan: the fetch's (`Outcome.plan`) when it could be replayed, else the
    first URL's."""
    decisive: Finding | None = None
    """The finding that decides its verdict."""
    unsent: WireRequest | None = None
    """The first request it would send that the run did not (when `verdict` is None)."""


@dataclass(frozen=True, slots=True)
class Report:
    """Everything a renderer needs about one check, as one engine (`browser`) runs it."""

    shape: RequestShape
    plan: PreflightPlan
    outcome: Outcome
    dry_run: bool = False
    simulated: bool = False
    browser: str = "chrome"
    """The report key of the engine whose conversation this is."""
    others: tuple[Report, ...] = ()
    """The other engines' own reports of the same check (`--browser all`), in order."""
    contrasts: tuple[Contrast, ...] = ()
    """Engines not run that would decide differently, told from the same answers."""
    agreeing: tuple[str, ...] = ()
    """The other engines (report keys) that, on the same answers, block on the same decisive
    finding (code, stage, URL, status): only their console lines, and this engine's, are told
    for it; another engine's lines for a finding it would not reach would be wrong."""
    cache: CacheProbe | None = None
    """What cors-probe's own extra requests showed about caches (usecases/caches.py); None in a
    dry run, with --no-cache-probe, when simulated, or when a server could not be reached."""
    derived: Derivation | None = None
    """How the request was derived from a capture (`--from-curl`, `--from-fetch`, `har`)."""
    captured: bool = False
    """True when the answers are those recorded in a capture (a HAR file), not the live server's."""
    fix: FixRequest | None = None
    """The server configurations asked for (`cors-probe fix`, `check --server`): rendered by
    explain/servers from this report's answers; None when none was asked for."""

    @property
    def engines(self) -> tuple[Report, ...]:
        """This report and the others: one per engine run."""
        return (self, *self.others)


@dataclass(frozen=True, slots=True)
class DroppedHeader:
    """A header a captured request carried that the page's script did not set: the browser
    added it (or the capture tool did), so the request is rebuilt without it."""

    name: str
    """As captured."""
    value: str
    """As captured (masked by the renderers like any request header)."""
    reason: str
    """A stable code: `forbidden` (a forbidden request-header name the browser sets), `sec`
    (a `Sec-` name), `client-hint` (`sec-ch-*`), `engine-default` (a value the engine sends
    on its own, such as `Accept: */*`), `cookie` (the cookie jar's; kept as the request's
    cookie), `capture-tool` (added by the copying tool, not by the browser), `other-origin` (a
    captured secret, Cookie or secret-named header, not carried to the other origin of the URL
    given in place of the captured one)."""


@dataclass(frozen=True, slots=True)
class Derivation:
    """How a captured request ("Copy as cURL", "Copy as fetch", a HAR entry) became the request
    that was checked: shown before the report, so the reader can tell what was assumed."""

    source: str
    """`curl` (POSIX shell), `curl-cmd` (Windows cmd), `powershell`, `fetch`, `node-fetch`,
    `har`."""
    origin_from: str | None
    """Where the page's origin came from: `Origin`, `Referer`, `referrer` (fetch's option),
    `flag` (--origin given), or None (no origin: probed as a third-party site)."""
    credentials_from: str | None
    """Why credentials mode is include: `Cookie` (the capture carried cookies), `credentials`
    (fetch's option), `flag`, `preflight` (a HAR: the browser did not send the request after a
    preflight that passes only without credentials); None when it is not."""
    dropped: tuple[DroppedHeader, ...] = ()
    """The captured headers left out of the script's request, in capture order."""
    overridden: tuple[str, ...] = ()
    """The options given as flags that replaced what was derived (`--origin`, `-X`, ...)."""
    engine: str | None = None
    """The engine that made the capture, when known (a report key: `chrome`, `firefox`,
    `safari`), from a HAR's creator and User-Agent or the capture's shape."""


@dataclass(frozen=True, slots=True)
class CacheExchange:
    """One of cors-probe's own extra requests (not one a browser sends), and why it was sent."""

    label: str
    """`no-origin`, `other-origin`, or a lookalike's kind (`suffix`, `prefix`, `dot`, `scheme`)."""
    origin: str | None
    """The Origin it carried; None when it carried none."""
    exchange: Exchange


@dataclass(frozen=True, slots=True)
class PreflightCacheEntry:
    """What one engine's preflight cache holds after a successful preflight."""

    seconds: int
    """How long the entry lives (0: not cached)."""
    methods: tuple[str, ...]
    """The methods it covers: Access-Control-Allow-Methods' items and the request's method."""
    headers: tuple[str, ...]
    """The header names it covers (lower-cased Access-Control-Allow-Headers items)."""


@dataclass(frozen=True, slots=True)
class AfterNoCors:
    """How an engine decides fetch() when an earlier load without CORS (an <img>, a no-cors
    fetch) left the answer without Origin in its HTTP cache."""

    browser: str
    """The engine's report key."""
    loads: tuple[str, ...]
    """The earlier loads that leave it there for this engine (`img`, `no-cors`)."""
    outcome: Outcome
    """The conversation handed the cached answer for the actual request."""


@dataclass(frozen=True, slots=True)
class CacheProbe:
    """The cache section of a check's report: cors-probe's comparison requests and what they
    showed, the preflight cache per engine, and fetch() after a load without CORS."""

    exchanges: tuple[CacheExchange, ...] = ()
    findings: tuple[Finding, ...] = ()
    skipped: str | None = None
    """Why no comparison request was sent, when none was (words for the user)."""
    preflight: Mapping[str, PreflightCacheEntry] = field(default_factory=dict)
    """Per engine report key, its preflight cache entry after the check's preflight (empty when
    no preflight passed)."""
    after_no_cors: tuple[AfterNoCors, ...] = ()
    """Per engine whose cache a load without CORS poisons (only when `cached-without-cors`)."""


@dataclass(frozen=True, slots=True)
class FixRequest:
    """What `cors-probe fix` (or `check --server`) was asked for: configuration snippets for
    `servers` that let every origin of `origins` make the checked request."""

    servers: tuple[str, ...]
    """Server names as `--server` takes them (`nginx`, `express`, ...; explain/servers.SERVERS)."""
    origins: tuple[str, ...]
    """The allow-list: every `--origin` given, serialised, in order, without duplicates."""
    public: bool = False
    """`--public`: the data is public, so `*` is acceptable where the request allows it."""
    checked: tuple[tuple[str, Verdict], ...] = ()
    """Each origin of the allow-list with the verdict the live server gives it today."""


@dataclass(frozen=True, slots=True)
class CorsNeed:
    """What the server must answer so that exactly the checked request passes, and nothing more:
    derived from a Report by explain/servers/need.py, written in each server's idiom."""

    origins: tuple[str, ...]
    """The allow-list, serialised origins (`https://app.example.com`), matched exactly."""
    credentials: bool
    """Credentials mode include: Access-Control-Allow-Credentials: true, never `*`."""
    methods: tuple[str, ...]
    """The methods the checked request uses, upper-case (`("PUT",)`)."""
    headers: tuple[str, ...]
    """Request header names that are not CORS-safelisted, lower-case, in request order."""
    preflight: bool
    """Whether the browser sends a CORS preflight (OPTIONS) first."""
    max_age: int
    """Access-Control-Max-Age to send, seconds."""
    wildcard: bool
    """Answer `*` instead of the allow-list: public data, no credentials, public address."""
    path: str
    """The checked URL's path (`/api/items/1`), for locations and routes."""
    target: str
    """The checked URL's origin (`https://api.example.com`), for proxy snippets."""
    local_network: bool = False
    """The request crosses into a more private address space (Local Network Access): the
    preflight must also allow it (Access-Control-Allow-Private-Network: true)."""
    existing: tuple[tuple[str, str], ...] = ()
    """CORS response headers (name, value) a layer of the server already sends: a snippet then
    corrects that layer's options rather than adding a second one."""
    preflight_ms: float | None = None
    """The preflight round trip cors-probe measured, milliseconds; None when none was sent."""
    not_header: tuple[str, ...] = ()
    """Finding codes that fail for a reason no CORS header fixes (a redirect, a status, a
    tainted origin with credentials): the fix is elsewhere, said in the explanation."""


@dataclass(frozen=True, slots=True)
class ServerFix:
    """One server's configuration for a CorsNeed, as `fixes[]` of the JSON document shows it."""

    server: str
    """The `--server` name."""
    snippet: str
    """The configuration, in the server's own idiom; for nginx what goes inside the `location`
    that serves the API."""
    explanation: str
    """Why each line is there, what it replaces, what it costs; plain text, several sentences."""
    verified_with: str | None
    """The test that applies this server's snippets to the real server (a pytest node id), or
    None when the server cannot run in cors-probe's tests (`source` names the documentation)."""
    snippet_http: str | None = None
    """nginx: what goes in the `http {}` block (a `map` of allowed origins); None elsewhere."""
    source: str | None = None
    """For a snippet not verified here: the documentation it follows."""
