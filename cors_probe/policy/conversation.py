"""The whole fetch() as a generator: it yields each request to send and is sent each response.

This is the sans-I/O heart (the pattern of httpx's `Auth.auth_flow`): the caller loops

    flow = converse(shape)
    step = next(flow)
    while True:
        reply = send(step.request)          # a WireResponse, a TransportFailure, None or DRY_RUN
        step = flow.send(reply)             # ... until StopIteration carries the Outcome

and `None` means "not sent" for want of consent (a request with side effects), `DRY_RUN` "not
sent, and go on as if it had passed" (a dry run). The conversation is the only planner: its
Outcome carries the first preflight plan too.

One function per stage of Fetch's main fetch (https://fetch.spec.whatwg.org/#main-fetch),
composed with `yield from`: fetch()'s own refusals and header guard (`prepare`), then per URL
`_http_fetch`: the CORS-preflight fetch when the CORS flag is set and the request needs one
(`_cors_preflight_fetch`), the actual request and its CORS check (`_actual_fetch`), then either
the HTTP-redirect fetch, judged in Chromium's order (redirect.py), which runs `_http_fetch` again
at the new URL (`_http_redirect_fetch`), or the CORS-filtered response (`_cors_filtered_response`).
Every browser-specific fact comes from the `Browser` handed in (browsers.py).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field, replace
from enum import Enum

from cors_probe.codes import FindingCode, TriggerReason
from cors_probe.model import (
    DetailValue,
    Exchange,
    ExchangeKind,
    Finding,
    Headers,
    HopPreflight,
    Outcome,
    PreflightPlan,
    RedirectMode,
    RequestMode,
    RequestShape,
    ResponseType,
    Severity,
    Stage,
    TransportFailure,
    Trigger,
    Verdict,
    WireRequest,
    WireResponse,
)
from cors_probe.policy import cookies, diagnosis, metadata, modes, preflight, redirect
from cors_probe.policy.access import NEVER_EXPOSED, AccessFailure, cors_check, readable_headers
from cors_probe.policy.advice import PREFLIGHT_ADVICE, RESPONSE_ADVICE, Seen, advise
from cors_probe.policy.browsers import CHROMIUM, Browser
from cors_probe.policy.findings import Where
from cors_probe.policy.gates import Resolve, local_network, mixed_content, target_of
from cors_probe.policy.origin import same_origin
from cors_probe.policy.safelist import (
    Triggers,
    browser_headers,
    engine_only_safelisted,
    has_side_effects,
    is_forbidden_method,
    normalise_method,
    preflight_triggers,
)
from cors_probe.policy.url import Url, UrlError, parse_url
from cors_probe.policy.verdict import decide


@dataclass(frozen=True, slots=True)
class Send:
    """The next request the browser would send."""

    kind: ExchangeKind
    request: WireRequest
    hop: int = 0
    needs_consent: bool = False
    """True for an actual request whose method has side effects."""


class NotSent(Enum):
    """A reply for a request that was not sent, other than `None` (not sent for want of consent)."""

    DRY_RUN = "dry-run"
    """A dry run: not sent; carry on as if it passed (a preflight) and record the exchange as
    withheld; stop after the actual request, without a consent finding."""


DRY_RUN = NotSent.DRY_RUN
Reply = WireResponse | TransportFailure | NotSent | None
Conversation = Generator[Send, Reply, Outcome]


@dataclass(frozen=True, slots=True)
class Prepared:
    """The request after fetch() has done its part, before anything goes on the wire."""

    url: Url
    method: str
    headers: Headers
    body: bytes | None
    cors: bool
    plan: PreflightPlan
    notes: tuple[Finding, ...]


@dataclass(slots=True)
class _Fetch:
    """One fetch's fixed facts, and what it has found and exchanged so far."""

    shape: RequestShape
    browser: Browser
    page: str
    """The page's serialised origin."""
    first_url: str
    plan: PreflightPlan
    """The preflight planned for the first URL (`Outcome.plan`)."""
    findings: list[Finding]
    exchanges: list[Exchange] = field(default_factory=list)
    url_list: list[Url] = field(default_factory=list)
    """Every URL the fetch has visited so far (Fetch's request URL list)."""
    hops: list[HopPreflight] = field(default_factory=list)
    """The preflight question at each URL visited so far."""
    opaque: bool = False
    """Fetch's response tainting is `opaque`: no-cors mode met a cross-origin URL."""
    resolve: Resolve | None = None
    """Host name -> address, for the Local Network Access gate (gates.py)."""
    advice: bool = True
    """False: the findings that never decide are left out (`converse`'s `advice`)."""

    @property
    def preflighted(self) -> bool:
        """Whether this fetch has sent a preflight (`Browser.redirect_repreflights`)."""
        return any(e.kind is ExchangeKind.PREFLIGHT for e in self.exchanges)

    def add_advice(self, found: list[Finding]) -> None:
        """Advice once per code and URL: the preflight's and the response's missing
        `Vary: Origin` is one fact to fix, told where it was first seen; Local Network Access
        once per server address, whichever URLs of the fetch it answered (`_told_as`)."""
        told = {_told_as(f) for f in self.findings}
        for finding in found:
            if _told_as(finding) not in told:
                told.add(_told_as(finding))
                self.findings.append(finding)

    def where(self, stage: Stage, url: str) -> Where:
        return Where(stage, url, self.first_url, self.page)

    def seen(self, where: Where, response: WireResponse, request_origin: str) -> Seen:
        """What the advice rules look at for `response`, received at `where`."""
        shape = self.shape
        return Seen(where, response, request_origin, shape.origin, self.browser, shape.origin_given)

    def outcome(
        self,
        final_status: int | None = None,
        readable: tuple[str, ...] = (),
        response_type: ResponseType | None = None,
    ) -> Outcome:
        verdict, decisive = decide(self.findings)
        return Outcome(
            verdict,
            tuple(self.findings),
            tuple(self.exchanges),
            decisive,
            final_status,
            readable,
            next((h.plan for h in self.hops if h.plan.required), self.plan),
            tuple(self.hops),
            response_type if verdict is not Verdict.BLOCKED else None,
        )


def _told_as(finding: Finding) -> tuple[FindingCode, str]:
    """What makes advice one fact: its code and URL, or the server address for Local Network
    Access (Chromium asks about the address, not about each resource)."""
    if finding.code is FindingCode.LOCAL_NETWORK_ACCESS:
        return finding.code, str(finding.detail.get("address", finding.url))
    return finding.code, finding.url


@dataclass(frozen=True, slots=True)
class _Hop:
    """The request as it stands at one URL (hop 0 is the first URL, n the n-th redirect's)."""

    url: Url
    method: str
    headers: Headers
    body: bytes | None
    cors: bool
    """Fetch's CORS flag: set once any URL of the fetch is cross-origin to the page."""
    tainted: bool
    """The request's origin is tainted: it carries `Origin: null`."""
    number: int

    def request_origin(self, page: str) -> str:
        return "null" if self.tainted else page


def _refused(notes: list[Finding]) -> Outcome:
    verdict, decisive = decide(notes)
    return Outcome(verdict, tuple(notes), (), decisive)


def prepare(shape: RequestShape, browser: Browser = CHROMIUM) -> Prepared | Outcome:
    """fetch()'s Request constructor and header guard: refusals, dropped headers, the first plan.

    Returns the prepared request, or the Outcome of fetch() throwing before any request (a
    forbidden method, credentials in the URL, a body with GET/HEAD). Raises ValueError for a URL
    that does not parse (the CLI validates URLs first). Source: https://fetch.spec.whatwg.org/#dom-request
    and https://fetch.spec.whatwg.org/#main-fetch (the CORS flag), the header guard
    (https://fetch.spec.whatwg.org/#forbidden-request-header,
    https://fetch.spec.whatwg.org/#cors-safelisted-request-header), plus `browser`'s dropped and
    extra safelisted headers.
    """
    page = shape.origin.serialise()
    where = Where(Stage.REQUEST, shape.url, "", page)
    notes: list[Finding] = []
    if not shape.origin_given:
        notes.append(where.finding(FindingCode.THIRD_PARTY_ORIGIN, Severity.INFO))
    if shape.origin.opaque:
        notes.append(where.finding(FindingCode.OPAQUE_ORIGIN, Severity.INFO))
    given = shape.parsed_url  # parsed by the shape's builder; not when stale (a replaced url)
    url = given if given is not None and given.serialise() == shape.url else parse_url(shape.url)
    if isinstance(url, UrlError):  # the CLI validates URLs; a bad one here is a caller bug
        raise ValueError(url.reason)
    method = normalise_method(shape.method)
    if is_forbidden_method(shape.method):
        notes.append(
            where.finding(
                FindingCode.FORBIDDEN_METHOD, Severity.ERROR, detail={"method": shape.method}
            )
        )
        return _refused(notes)
    if url.has_credentials:
        notes.append(where.finding(FindingCode.URL_CREDENTIALS, Severity.ERROR))
        return _refused(notes)
    refusal = modes.method_refusal(shape.mode, method)
    if refusal is not None:
        notes.append(where.finding(refusal.code, Severity.ERROR, detail=refusal.detail))
        return _refused(notes)
    if shape.body is not None and method in ("GET", "HEAD"):
        notes.append(
            where.finding(FindingCode.BODY_NOT_ALLOWED, Severity.ERROR, detail={"method": method})
        )
        return _refused(notes)
    script_headers = shape.headers
    guarded: tuple[tuple[str, str], ...] = ()
    if shape.mode is RequestMode.NO_CORS:
        script_headers, guarded = modes.no_cors_guard(shape.headers, browser)
    prepared = browser_headers(script_headers, shape.body, browser)
    for name, value in prepared.dropped:
        notes.append(
            where.finding(FindingCode.FORBIDDEN_HEADER, Severity.WARNING, header=name, value=value)
        )
    for name, value in prepared.dropped_by_browser:
        notes.append(
            where.finding(
                FindingCode.USER_AGENT_DROPPED, Severity.WARNING, header=name, value=value
            )
        )
    for name, value in guarded:
        notes.append(
            where.finding(
                FindingCode.NO_CORS_HEADER_DROPPED, Severity.WARNING, header=name, value=value
            )
        )
    for name, value in engine_only_safelisted(prepared.sent, browser):
        notes.append(
            where.finding(
                FindingCode.CHROMIUM_ONLY_SAFELISTED, Severity.INFO, header=name, value=value
            )
        )
    refusal = modes.main_fetch_refusal(shape.mode, shape.redirect, shape.origin, url.origin())
    if refusal is not None:
        notes.append(where.finding(refusal.code, Severity.ERROR, detail=refusal.detail))
        return _refused(notes)
    cross_origin = not same_origin(shape.origin, url.origin())
    cors = cross_origin and shape.mode is RequestMode.CORS
    if not cross_origin:
        notes.append(where.finding(FindingCode.SAME_ORIGIN, Severity.INFO))
    if (
        shape.credentials
        and cross_origin
        and metadata.fetch_site(shape.origin, [url]) == "cross-site"
    ):  # same-site (api.example.com from www.example.com): its cookies are first-party
        notes.append(where.finding(FindingCode.THIRD_PARTY_COOKIES, Severity.INFO))
    triggers = preflight_triggers(method, prepared.sent, browser)
    plan = (
        dressed(preflight.plan(url.serialise(), page, method, triggers), shape, browser, [url])
        if cors
        else PreflightPlan(required=False, method=method)
    )
    return Prepared(url, method, prepared.sent, shape.body, cors, plan, tuple(notes))


def dressed(
    plan: PreflightPlan, shape: RequestShape, browser: Browser, url_list: list[Url]
) -> PreflightPlan:
    """`plan` with its OPTIONS request carrying the engine's default headers (metadata.dress).
    Built field by field, not with `dataclasses.replace` (three times slower, on every check;
    tests/policy/test_conversation.py holds both dataclasses' fields to these)."""
    request = plan.request
    if request is None:
        return plan
    headers = metadata.dress(
        browser,
        request.headers,
        url=url_list[-1],
        url_list=url_list,
        page=shape.origin,
        preflight=True,
        user_agent=shape.user_agent,
    )
    return PreflightPlan(
        plan.required,
        plan.triggers,
        plan.method,
        plan.unsafe_names,
        WireRequest(request.method, request.url, headers, request.body),
    )


def actual_request(
    shape: RequestShape,
    url_list: list[Url],
    method: str,
    headers: Headers,
    body: bytes | None,
    *,
    cors: bool,
    request_origin: str,
    browser: Browser = CHROMIUM,
    cross_origin: bool | None = None,
) -> WireRequest:
    """The actual request as `browser` puts it on the wire, to the last URL of `url_list`: the
    script's headers, Origin, cookies and the engine's default headers, in its order.

    `headers` are the script's headers after the header guard; `request_origin` the serialised
    Origin (`null` when tainted); `cross_origin` whether the URL is another origin than the
    page's (default: `cors`; a no-cors request has no CORS flag but is cross-origin all the
    same). Source: https://fetch.spec.whatwg.org/#http-network-or-cache-fetch
    (`Accept: */*` default, the Origin header, cookies only for credentialed or same-origin
    requests), https://fetch.spec.whatwg.org/#origin-header, and metadata.dress. `shape.cookie`
    is what the jar holds for the first URL's host (RFC 6265bis host-only cookies: any port or
    scheme of that host), so a hop to another host does not carry it: which cookies that
    host has, cors-probe cannot know.
    """
    pairs = list(headers)
    if "Accept" not in headers:
        pairs.insert(0, ("Accept", "*/*"))
    if cors or method not in ("GET", "HEAD"):
        pairs.append(("Origin", request_origin))
    other_origin = cors if cross_origin is None else cross_origin
    if (
        shape.cookie is not None
        and (shape.credentials or not other_origin)
        and url_list[-1].host == url_list[0].host
    ):  # the jar's cookie is the first URL's host's: a redirect to another host gets none of it
        pairs.append(("Cookie", shape.cookie))
    sent = metadata.dress(
        browser,
        Headers(tuple(pairs)),
        url=url_list[-1],
        url_list=url_list,
        page=shape.origin,
        preflight=False,
        user_agent=shape.user_agent,
        credentials=shape.credentials,
        mode=shape.mode.value,
    )
    return WireRequest(method=method, url=url_list[-1].serialise(), headers=sent, body=body)


def _failure_finding(where: Where, failure: AccessFailure, status: int | None) -> Finding:
    return where.finding(
        failure.code,
        Severity.ERROR,
        status=status,
        header=failure.header or None,
        value=failure.value,
        detail=failure.detail,
    )


def _unreachable(where: Where, failure: TransportFailure) -> Finding:
    return where.finding(
        FindingCode.UNREACHABLE,
        Severity.ERROR,
        detail={"kind": failure.kind.value, "reason": failure.message},
    )


def drive(flow: Conversation, answer: Callable[[Send], Reply]) -> Outcome:
    """Run the conversation to its end, answering each step with `answer(step)`; an exception
    `answer` raises propagates."""
    try:
        step = next(flow)
        while True:
            step = flow.send(answer(step))
    except StopIteration as stop:
        outcome: Outcome = stop.value
        return outcome


def converse(
    shape: RequestShape,
    browser: Browser = CHROMIUM,
    resolve: Resolve | None = None,
    *,
    advice: bool = True,
) -> Conversation:
    """The browser's whole fetch() of `shape`, as `browser` runs it: yields each `Send`, is sent
    each `Reply`, returns the `Outcome` (with the first preflight plan in `Outcome.plan`).
    `resolve` tells the address a host name connects to, for the Local Network Access gate
    (without it only IP literals and localhost names are gated; gates.py).

    `advice=False` leaves out the findings about responses that can never decide: the advice
    rules' (advice.py), the cookies' (cookies.py) and `headers-not-exposed`, all warnings and
    notes (verdict.decide looks at errors, `unreachable` and `consent-required` only). The
    requests, exchanges, verdict, decisive finding, plans and hops are the same; a replay of an
    engine not run (usecases/engines.py), which uses nothing else, is so about a fifth cheaper.

    Source: https://fetch.spec.whatwg.org/#main-fetch, in Chromium's order (cors_url_loader.cc).
    """
    prepared = prepare(shape, browser)
    if isinstance(prepared, Outcome):
        return prepared
    fetch = _Fetch(
        shape,
        browser,
        shape.origin.serialise(),
        prepared.url.serialise(),
        prepared.plan,
        list(prepared.notes),
        opaque=shape.mode is RequestMode.NO_CORS
        and not same_origin(shape.origin, prepared.url.origin()),
        resolve=resolve,
        advice=advice,
    )
    first = _Hop(
        prepared.url,
        prepared.method,
        prepared.headers,
        prepared.body,
        prepared.cors,
        tainted=False,
        number=0,
    )
    return (yield from _http_fetch(fetch, first))


def _http_fetch(fetch: _Fetch, hop: _Hop) -> Conversation:
    """One URL of the fetch: the preflight when needed, the actual request and its CORS check,
    then the redirect or the response (https://fetch.spec.whatwg.org/#http-fetch)."""
    fetch.url_list.append(hop.url)
    gated = _gates(fetch, hop)
    if gated is not None:
        return gated
    stopped = yield from _cors_preflight_fetch(fetch, hop)
    if stopped is not None:
        return stopped
    response = yield from _actual_fetch(fetch, hop)
    if isinstance(response, Outcome):
        return response
    target = redirect.location_of(response, hop.url, fetch.browser)
    if fetch.shape.redirect is not RedirectMode.FOLLOW and response.status in (
        redirect.REDIRECT_STATUSES
    ):
        return _redirect_mode(fetch, hop, response, target)
    if isinstance(target, Url):
        return (yield from _http_redirect_fetch(fetch, hop, response, target))
    return _cors_filtered_response(fetch, hop, response)


def _gates(fetch: _Fetch, hop: _Hop) -> Outcome | None:
    """Mixed Content (for a page the user named: cors-probe's own third-party page stands for
    any site, http ones too), then Local Network Access, for this URL before anything is sent
    to it (its preflight included); the Outcome when a gate blocks, None to go on (gates.py)."""
    shape = fetch.shape
    where = fetch.where(Stage.REQUEST, hop.url.serialise())
    # the page cors-probe plays without --origin stands for any site, http ones too
    mixed = (
        mixed_content(shape.origin, hop.url, fetch.browser, where) if shape.origin_given else None
    )
    if mixed is not None:
        fetch.findings.append(mixed)
        return fetch.outcome()
    gate = local_network(
        shape.origin,
        shape.page_address_space,
        shape.page_address_space_assumed,
        shape.local_network,
        target_of(hop.url, fetch.resolve),
        fetch.browser,
        where,
        preflight=hop.cors
        and bool(preflight_triggers(hop.method, hop.headers, fetch.browser).triggers),
    )
    if gate is None:
        return None
    if gate.severity is Severity.ERROR:
        fetch.findings.append(gate)
        return fetch.outcome()
    fetch.add_advice([gate])
    return None


def _cors_preflight_fetch(fetch: _Fetch, hop: _Hop) -> Generator[Send, Reply, Outcome | None]:
    """The CORS-preflight fetch, when the CORS flag is set and the request needs one; None to go
    on to the actual request (https://fetch.spec.whatwg.org/#cors-preflight-fetch, judged in
    the engine's order by preflight.check; advice in `PREFLIGHT_ADVICE`). Its Origin is `null`
    once the origin is tainted, but the page's in an engine that departs from the spec there
    (`Browser.preflight_origin_tainted`)."""
    url = hop.url.serialise()
    request_origin = (
        hop.request_origin(fetch.page) if fetch.browser.preflight_origin_tainted else fetch.page
    )
    triggers = preflight_triggers(hop.method, hop.headers, fetch.browser)
    repreflight = fetch.browser.redirect_repreflights and hop.number and fetch.preflighted
    if repreflight and not triggers.triggers:
        triggers = Triggers((Trigger(TriggerReason.REDIRECT),), ())
    if hop.number == 0 or not hop.cors:
        plan = fetch.plan  # the first URL's is prepare()'s; without the CORS flag none is asked
    else:
        plan = dressed(
            preflight.plan(url, request_origin, hop.method, triggers),
            fetch.shape,
            fetch.browser,
            fetch.url_list,
        )
    fetch.hops.append(
        HopPreflight(
            hop.number, url, hop.cors, plan if hop.cors else PreflightPlan(False, method=hop.method)
        )
    )
    if not (hop.cors and plan.required and plan.request is not None):
        return None
    where = fetch.where(Stage.PREFLIGHT, url)
    reply = yield Send(ExchangeKind.PREFLIGHT, plan.request, hop.number)
    if reply is None or isinstance(reply, NotSent):
        fetch.exchanges.append(
            Exchange(ExchangeKind.PREFLIGHT, plan.request, hop=hop.number, withheld=True)
        )
        return fetch.outcome() if reply is None else None
    if isinstance(reply, TransportFailure):
        fetch.exchanges.append(
            Exchange(ExchangeKind.PREFLIGHT, plan.request, failure=reply, hop=hop.number)
        )
        fetch.findings.append(_unreachable(where, reply))
        return fetch.outcome()
    fetch.exchanges.append(
        Exchange(ExchangeKind.PREFLIGHT, plan.request, response=reply, hop=hop.number)
    )
    order = triggers.script_order if fetch.browser.header_check_script_order else None
    result = preflight.check(
        reply,
        origin=request_origin,
        method=hop.method,
        unsafe_names=order or triggers.check_order,
        credentials=fetch.shape.credentials,
        browser=fetch.browser,
    )
    if result.failure is not None:
        failure = result.failure
        if failure.code is FindingCode.HEADER_NOT_ALLOWED:
            written = _as_written(hop.headers, str(failure.detail.get("name", "")))
            failure = replace(failure, detail={**failure.detail, "written": written})
        facts = _preflight_facts(fetch, hop, triggers, request_origin)
        failure = replace(
            failure, detail={**failure.detail, **facts, **_answered(failure.code, reply)}
        )
        fetch.findings.append(_failure_finding(where, failure, reply.status))
        fetch.findings.extend(_isolation_refusal(where, plan.request, reply))
        return fetch.outcome()
    if result.wildcard_authorization:
        fetch.findings.append(
            where.finding(
                FindingCode.AUTHORIZATION_WILDCARD,
                Severity.WARNING,
                header=preflight.ACAH,
                value=reply.headers.get(preflight.ACAH),
            )
        )
    if fetch.advice:
        fetch.add_advice(advise(PREFLIGHT_ADVICE, fetch.seen(where, reply, request_origin)))
    return None


def _preflight_facts(
    fetch: _Fetch, hop: _Hop, triggers: Triggers, request_origin: str
) -> dict[str, DetailValue]:
    """What a fix of a failed preflight must cover: the origin, the method and every header name
    the preflight asked for (Origin, Access-Control-Request-Method/-Headers), and whether it is
    credentialed (explain.fixes)."""
    return {
        "request_origin": request_origin,
        "request_method": hop.method,
        "request_headers": ", ".join(triggers.check_order),
        "credentials": fetch.shape.credentials,
    }


def _answered(code: FindingCode, reply: WireResponse) -> dict[str, DetailValue]:
    """The layer that answered a preflight refused for its status or a missing
    Access-Control-Allow-Origin, and the body's start (policy.diagnosis)."""
    if code in (FindingCode.PREFLIGHT_NOT_OK, FindingCode.ACAO_MISSING):
        return diagnosis.diagnose(reply, preflight=True)
    return {}


def _as_written(headers: Headers, name: str) -> str:
    """The header `name` (lower-cased) as the script wrote it."""
    return next((n for n, _ in headers if n.lower() == name), name)


def _actual_fetch(fetch: _Fetch, hop: _Hop) -> Generator[Send, Reply, WireResponse | Outcome]:
    """The actual request, then, with the CORS flag set, the CORS check of its response; the
    response to go on with, or the Outcome when the fetch stops here
    (https://fetch.spec.whatwg.org/#http-network-or-cache-fetch,
    https://fetch.spec.whatwg.org/#concept-cors-check)."""
    url = hop.url.serialise()
    request_origin = hop.request_origin(fetch.page)
    request = actual_request(
        fetch.shape,
        fetch.url_list,
        hop.method,
        hop.headers,
        hop.body,
        cors=hop.cors,
        request_origin=request_origin,
        browser=fetch.browser,
        cross_origin=not same_origin(fetch.shape.origin, hop.url.origin()),
    )
    where = fetch.where(Stage.ACTUAL, url)
    reply = yield Send(
        ExchangeKind.ACTUAL, request, hop.number, needs_consent=has_side_effects(hop.method)
    )
    if reply is None or isinstance(reply, NotSent):
        fetch.exchanges.append(
            Exchange(ExchangeKind.ACTUAL, request, hop=hop.number, withheld=True)
        )
        if reply is None:
            fetch.findings.append(
                where.finding(
                    FindingCode.CONSENT_REQUIRED, Severity.INFO, detail={"method": hop.method}
                )
            )
        return fetch.outcome()
    if isinstance(reply, TransportFailure):
        fetch.exchanges.append(
            Exchange(ExchangeKind.ACTUAL, request, failure=reply, hop=hop.number)
        )
        fetch.findings.append(_unreachable(where, reply))
        return fetch.outcome()
    fetch.exchanges.append(Exchange(ExchangeKind.ACTUAL, request, response=reply, hop=hop.number))
    if fetch.advice:  # stored before the CORS check, so a blocked response's too
        fetch.findings.extend(
            cookies.cookie_findings(
                where,
                reply,
                cookies.Context(hop.url, fetch.shape.origin, fetch.shape.credentials),
                fetch.browser,
            )
        )
    if hop.cors:
        blocked = _cors_check(fetch, hop, where, reply, request_origin)
        if blocked is not None:
            refusal = _isolation_refusal(where, request, reply)
            if refusal:  # the CORS layer never saw it: no header it sends can help
                fetch.findings[:] = [_refused_before_cors(f, where) for f in fetch.findings]
            fetch.findings.extend(refusal)
            return fetch.outcome()
    elif fetch.shape.mode is RequestMode.NO_CORS:
        opaque_origin = hop.tainted and fetch.browser.corp_tainted_origin_opaque
        block = modes.corp_blocked(where, reply, fetch.shape.origin, hop.url, opaque_origin)
        if block is not None:
            fetch.findings.append(block)
            return fetch.outcome()
    return reply


def _refused_before_cors(finding: Finding, where: Where) -> Finding:
    """`finding` marked `refused_before_cors` when it is the missing ACAO (or the error status)
    of the response at `where` that a Fetch Metadata policy refused (explain.fixes)."""
    codes = (FindingCode.ACAO_MISSING, FindingCode.ERROR_STATUS_WITHOUT_CORS)
    if finding.code not in codes or finding.url != where.url or finding.stage is not where.stage:
        return finding
    return replace(finding, detail={**finding.detail, "refused_before_cors": True})


def _isolation_refusal(where: Where, request: WireRequest, reply: WireResponse) -> list[Finding]:
    """A 403 without CORS headers to a request that said `Sec-Fetch-Site: cross-site`: most
    likely a Fetch Metadata resource-isolation policy in front of the CORS layer
    (https://w3c.github.io/webappsec-fetch-metadata/, https://web.dev/articles/fetch-metadata)."""
    site = request.headers.get("Sec-Fetch-Site")
    if (
        reply.status != 403
        or site != "cross-site"
        or "Access-Control-Allow-Origin" in reply.headers
    ):
        return []
    mode = request.headers.get("Sec-Fetch-Mode") or ""
    return [
        where.finding(
            FindingCode.FETCH_METADATA_REFUSAL,
            Severity.WARNING,
            status=reply.status,
            header="Sec-Fetch-Site",
            value=site,
            detail={"mode": mode},
        )
    ]


def _cors_check(
    fetch: _Fetch, hop: _Hop, where: Where, reply: WireResponse, request_origin: str
) -> Outcome | None:
    """The CORS check of a response (a redirect's too), with what a failure implies: the request
    ran on the server anyway, and an error status hidden behind a missing ACAO
    (https://fetch.spec.whatwg.org/#concept-cors-check; Chromium cors.cc CheckAccess)."""
    access = cors_check(reply.headers, request_origin, fetch.shape.credentials)
    if access is None:
        return None
    facts: dict[str, DetailValue] = {
        "request_origin": request_origin,
        **access.detail,
        "credentials": fetch.shape.credentials,
    }
    said = diagnosis.diagnose(reply, preflight=False) if reply.status >= 400 else {}
    facts.update(said)
    target = redirect.location_of(reply, hop.url, fetch.browser)
    if isinstance(target, Url):  # a redirect's CORS check: WebKit names where it was going
        facts["location"] = target.serialise()
        if fetch.shape.redirect is not RedirectMode.FOLLOW:  # not followed: Firefox's last word
            facts["redirect_mode"] = fetch.shape.redirect.value
    access = replace(access, detail=facts)
    side_effects = has_side_effects(hop.method)
    fetch.findings.append(_failure_finding(where, access, reply.status))
    fetch.findings.append(
        where.finding(
            FindingCode.REQUEST_REACHED_SERVER,
            Severity.WARNING if side_effects else Severity.INFO,
            status=reply.status,
            detail={"method": hop.method, "preflighted": fetch.preflighted},
        )
    )
    if reply.status >= 400 and access.code is FindingCode.ACAO_MISSING:
        fetch.findings.append(
            where.finding(
                FindingCode.ERROR_STATUS_WITHOUT_CORS,
                Severity.WARNING,
                status=reply.status,
                detail=said,
            )
        )
    return fetch.outcome()


def _http_redirect_fetch(
    fetch: _Fetch, hop: _Hop, response: WireResponse, target: Url
) -> Conversation:
    """Follow one redirect to `target` and fetch again there, or stop with its network error
    (https://fetch.spec.whatwg.org/#http-redirect-fetch, in Chromium's order: redirect.follow)."""
    url = hop.url.serialise()
    where = fetch.where(Stage.ACTUAL, url)
    step = redirect.follow(
        status=response.status,
        current=hop.url,
        target=target,
        page_origin=fetch.shape.origin,
        method=hop.method,
        headers=hop.headers,
        body=hop.body,
        tainted=hop.tainted,
        redirects_so_far=hop.number,
        browser=fetch.browser,
    )
    if isinstance(step, redirect.HopFailure):
        fetch.findings.append(
            where.finding(
                step.code,
                Severity.ERROR,
                status=response.status,
                header="Location",
                value=response.headers.get("Location"),
                detail={"location": step.location, "scheme": step.scheme},
            )
        )
        return fetch.outcome()
    if step.tainted and not hop.tainted:
        fetch.findings.append(
            where.finding(
                FindingCode.REDIRECT_TAINTED_ORIGIN,
                Severity.INFO,
                status=response.status,
                detail={"from_url": url, "to_url": step.url},
            )
        )
    cross_origin = not same_origin(fetch.shape.origin, target.origin())
    if cross_origin and fetch.shape.mode is RequestMode.SAME_ORIGIN:
        fetch.findings.append(
            where.finding(
                FindingCode.SAME_ORIGIN_MODE,
                Severity.ERROR,
                status=response.status,
                detail={"url_origin": target.origin().serialise(), "location": step.url},
            )
        )
        return fetch.outcome()
    fetch.opaque = fetch.opaque or (cross_origin and fetch.shape.mode is RequestMode.NO_CORS)
    if step.method != hop.method:
        fetch.findings.append(
            where.finding(
                FindingCode.REDIRECT_CHANGED_METHOD,
                Severity.WARNING if hop.body is not None else Severity.INFO,
                status=response.status,
                header="Location",
                value=response.headers.get("Location"),
                detail={
                    "from_method": hop.method,
                    "to_method": step.method,
                    "location": step.url,
                    "body_dropped": hop.body is not None,
                },
            )
        )
    following = _Hop(
        target,
        step.method,
        step.headers,
        step.body,
        cors=hop.cors or (cross_origin and fetch.shape.mode is RequestMode.CORS),
        tainted=step.tainted,
        number=hop.number + 1,
    )
    if following.cors and not hop.cors:  # no longer same-origin: CORS applies from here on
        fetch.findings[:] = [f for f in fetch.findings if f.code is not FindingCode.SAME_ORIGIN]
    return (yield from _http_fetch(fetch, following))


def _cors_filtered_response(fetch: _Fetch, hop: _Hop, response: WireResponse) -> Outcome:
    """The response the page's script gets: with the CORS flag set, a CORS-filtered response
    whose readable headers are the safelisted and exposed ones, advised on by `RESPONSE_ADVICE`;
    otherwise every header (https://fetch.spec.whatwg.org/#concept-filtered-response-cors,
    https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches)."""
    if fetch.opaque:
        fetch.findings.append(
            fetch.where(Stage.ACTUAL, hop.url.serialise()).finding(
                FindingCode.OPAQUE_RESPONSE,
                Severity.WARNING,
                detail={"real_status": response.status},
            )
        )
        return fetch.outcome(0, (), ResponseType.OPAQUE)
    if not hop.cors:
        readable = tuple(response.headers.lowered_names())
        return fetch.outcome(response.status, readable, ResponseType.BASIC)
    can_read, hidden = readable_headers(response.headers, fetch.shape.credentials)
    if not fetch.advice:
        return fetch.outcome(response.status, tuple(can_read), ResponseType.CORS)
    where = fetch.where(Stage.ACTUAL, hop.url.serialise())
    exposable = [name for name in hidden if name not in NEVER_EXPOSED]  # Set-Cookie never is
    if exposable:
        fetch.findings.append(
            where.finding(
                FindingCode.HEADERS_NOT_EXPOSED,
                Severity.INFO,
                detail={"names": ", ".join(exposable)},
            )
        )
    seen = fetch.seen(where, response, hop.request_origin(fetch.page))
    fetch.add_advice(advise(RESPONSE_ADVICE, seen))
    return fetch.outcome(response.status, tuple(can_read), ResponseType.CORS)


def _redirect_mode(
    fetch: _Fetch, hop: _Hop, response: WireResponse, target: Url | UrlError | None
) -> Outcome:
    """A redirect response under `redirect: 'error'` (a network error) or `'manual'` (an
    opaque-redirect response: status 0, nothing readable), once it passed the CORS check
    (https://fetch.spec.whatwg.org/#http-fetch, measured: Chromium still preflights and
    CORS-checks the redirect response in manual mode)."""
    where = fetch.where(Stage.ACTUAL, hop.url.serialise())
    location = (
        target.serialise() if isinstance(target, Url) else response.headers.get("Location") or ""
    )
    if fetch.shape.redirect is RedirectMode.ERROR:
        fetch.findings.append(
            where.finding(
                FindingCode.REDIRECT_MODE_ERROR,
                Severity.ERROR,
                status=response.status,
                header="Location",
                value=response.headers.get("Location"),
                detail={"location": location},
            )
        )
        return fetch.outcome()
    fetch.findings.append(
        where.finding(
            FindingCode.OPAQUE_REDIRECT,
            Severity.INFO,
            status=response.status,
            detail={"location": location, "real_status": response.status},
        )
    )
    return fetch.outcome(0, (), ResponseType.OPAQUE_REDIRECT)
