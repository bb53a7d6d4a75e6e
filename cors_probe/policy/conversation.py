"""The whole fetch() as a generator: it yields each request to send and is sent each response.

This is the sans-I/O heart (the pattern of httpx's `Auth.auth_flow`): the caller loops

    flow = converse(shape)
    step = next(flow)
    while True:
        reply = send(step.request)          # a WireResponse, a TransportFailure, or None
        step = flow.send(reply)             # ... until StopIteration carries the Outcome

and `None` means "not sent" (no consent for a request with side effects, or a dry run). The
sequence is the browser's main fetch: fetch()'s own refusals, the preflight when the CORS flag is
set and the request needs one, the actual request, then each redirect hop judged in Chromium's
order (redirect.py) with a fresh preflight at the new URL when still needed.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

from cors_probe.codes import FindingCode
from cors_probe.model import (
    Exchange,
    ExchangeKind,
    Finding,
    Headers,
    Outcome,
    PreflightPlan,
    RequestShape,
    Severity,
    Stage,
    TransportFailure,
    WireRequest,
    WireResponse,
)
from cors_probe.policy import advice, preflight, redirect
from cors_probe.policy.access import AccessFailure, cors_check, readable_headers
from cors_probe.policy.advice import Where
from cors_probe.policy.origin import same_origin
from cors_probe.policy.safelist import (
    browser_headers,
    chromium_only_safelisted,
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


Reply = WireResponse | TransportFailure | None
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


def _outcome(
    findings: list[Finding],
    exchanges: list[Exchange],
    final_status: int | None = None,
    readable: tuple[str, ...] = (),
) -> Outcome:
    verdict, decisive = decide(findings)
    return Outcome(verdict, tuple(findings), tuple(exchanges), decisive, final_status, readable)


def prepare(shape: RequestShape) -> Prepared | Outcome:
    """fetch()'s Request constructor and header guard: refusals, dropped headers, the first plan."""
    page = shape.origin.serialise()
    where = Where(Stage.REQUEST, shape.url, "", page)
    notes: list[Finding] = []
    if not shape.origin_given:
        notes.append(where.finding(FindingCode.THIRD_PARTY_ORIGIN, Severity.INFO))
    if shape.origin.opaque:
        notes.append(where.finding(FindingCode.OPAQUE_ORIGIN, Severity.INFO))
    url = parse_url(shape.url)
    if isinstance(url, UrlError):  # the CLI validates URLs; a bad one here is a caller bug
        raise ValueError(url.reason)
    method = normalise_method(shape.method)
    if is_forbidden_method(shape.method):
        notes.append(
            where.finding(
                FindingCode.FORBIDDEN_METHOD, Severity.ERROR, detail={"method": shape.method}
            )
        )
        return _outcome(notes, [])
    if url.has_credentials:
        notes.append(where.finding(FindingCode.URL_CREDENTIALS, Severity.ERROR))
        return _outcome(notes, [])
    if shape.body is not None and method in ("GET", "HEAD"):
        notes.append(
            where.finding(FindingCode.BODY_NOT_ALLOWED, Severity.ERROR, detail={"method": method})
        )
        return _outcome(notes, [])
    prepared = browser_headers(shape.headers, shape.body)
    for name, value in prepared.dropped:
        notes.append(
            where.finding(FindingCode.FORBIDDEN_HEADER, Severity.WARNING, header=name, value=value)
        )
    for name, value in prepared.dropped_by_chromium:
        notes.append(
            where.finding(
                FindingCode.USER_AGENT_DROPPED, Severity.WARNING, header=name, value=value
            )
        )
    for name, value in chromium_only_safelisted(prepared.sent):
        notes.append(
            where.finding(
                FindingCode.CHROMIUM_ONLY_SAFELISTED, Severity.INFO, header=name, value=value
            )
        )
    cors = not same_origin(shape.origin, url.origin())
    if not cors:
        notes.append(where.finding(FindingCode.SAME_ORIGIN, Severity.INFO))
    if shape.credentials and cors:
        notes.append(where.finding(FindingCode.THIRD_PARTY_COOKIES, Severity.INFO))
    triggers = preflight_triggers(method, prepared.sent)
    plan = (
        preflight.plan(url.serialise(), page, method, triggers)
        if cors
        else PreflightPlan(required=False, method=method)
    )
    return Prepared(url, method, prepared.sent, shape.body, cors, plan, tuple(notes))


def actual_request(
    shape: RequestShape,
    url: str,
    method: str,
    headers: Headers,
    body: bytes | None,
    *,
    cors: bool,
    request_origin: str,
) -> WireRequest:
    """The actual request as the browser puts it on the wire (script side + Origin + cookies)."""
    pairs = list(headers)
    if not any(n.lower() == "accept" for n, _ in pairs):
        pairs.insert(0, ("Accept", "*/*"))
    if cors or method not in ("GET", "HEAD"):
        pairs.append(("Origin", request_origin))
    if shape.cookie is not None and (shape.credentials or not cors):
        pairs.append(("Cookie", shape.cookie))
    return WireRequest(method=method, url=url, headers=Headers(tuple(pairs)), body=body)


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


def converse(shape: RequestShape) -> Conversation:
    prepared = prepare(shape)
    if isinstance(prepared, Outcome):
        return prepared
    page = shape.origin.serialise()
    findings = list(prepared.notes)
    exchanges: list[Exchange] = []
    first_url = prepared.url.serialise()
    current, method, headers, body = prepared.url, prepared.method, prepared.headers, prepared.body
    cors, tainted, hop = prepared.cors, False, 0

    while True:
        url = current.serialise()
        request_origin = "null" if tainted else page
        triggers = preflight_triggers(method, headers)
        plan = preflight.plan(url, request_origin, method, triggers)
        if cors and plan.required and plan.request is not None:
            where = Where(Stage.PREFLIGHT, url, first_url, page)
            reply = yield Send(ExchangeKind.PREFLIGHT, plan.request, hop)
            if reply is None:
                exchanges.append(
                    Exchange(ExchangeKind.PREFLIGHT, plan.request, hop=hop, withheld=True)
                )
                return _outcome(findings, exchanges)
            if isinstance(reply, TransportFailure):
                exchanges.append(
                    Exchange(ExchangeKind.PREFLIGHT, plan.request, failure=reply, hop=hop)
                )
                findings.append(_unreachable(where, reply))
                return _outcome(findings, exchanges)
            exchanges.append(
                Exchange(ExchangeKind.PREFLIGHT, plan.request, response=reply, hop=hop)
            )
            result = preflight.check(
                reply,
                origin=request_origin,
                method=method,
                unsafe_names=triggers.check_order,
                credentials=shape.credentials,
            )
            if result.failure is not None:
                findings.append(_failure_finding(where, result.failure, reply.status))
                return _outcome(findings, exchanges)
            if result.wildcard_authorization:
                findings.append(
                    where.finding(
                        FindingCode.AUTHORIZATION_WILDCARD,
                        Severity.WARNING,
                        header=preflight.ACAH,
                        value=reply.headers.get(preflight.ACAH),
                    )
                )
            findings.extend(
                f
                for f in (
                    advice.max_age(where, reply.headers, reply.elapsed_ms),
                    advice.vary_origin(where, reply.headers, request_origin),
                    advice.wildcard_with_acac(where, reply.headers),
                    advice.local_network(where, shape.origin, reply.server_ip),
                )
                if f is not None
            )

        request = actual_request(
            shape, url, method, headers, body, cors=cors, request_origin=request_origin
        )
        where = Where(Stage.ACTUAL, url, first_url, page)
        reply = yield Send(
            ExchangeKind.ACTUAL, request, hop, needs_consent=has_side_effects(method)
        )
        if reply is None:
            exchanges.append(Exchange(ExchangeKind.ACTUAL, request, hop=hop, withheld=True))
            findings.append(
                where.finding(
                    FindingCode.CONSENT_REQUIRED, Severity.INFO, detail={"method": method}
                )
            )
            return _outcome(findings, exchanges)
        if isinstance(reply, TransportFailure):
            exchanges.append(Exchange(ExchangeKind.ACTUAL, request, failure=reply, hop=hop))
            findings.append(_unreachable(where, reply))
            return _outcome(findings, exchanges)
        exchanges.append(Exchange(ExchangeKind.ACTUAL, request, response=reply, hop=hop))

        access = cors_check(reply.headers, request_origin, shape.credentials) if cors else None
        if access is not None:
            findings.append(_failure_finding(where, access, reply.status))
            findings.append(
                where.finding(
                    FindingCode.REQUEST_REACHED_SERVER,
                    Severity.WARNING if has_side_effects(method) else Severity.INFO,
                    status=reply.status,
                    detail={"method": method},
                )
            )
            if reply.status >= 400 and access.code is FindingCode.ACAO_MISSING:
                findings.append(
                    where.finding(
                        FindingCode.ERROR_STATUS_WITHOUT_CORS, Severity.WARNING, status=reply.status
                    )
                )
            return _outcome(findings, exchanges)

        target = redirect.location_of(reply, current)
        if isinstance(target, Url):
            step = redirect.follow(
                status=reply.status,
                current=current,
                target=target,
                page_origin=shape.origin,
                method=method,
                headers=headers,
                body=body,
                tainted=tainted,
                redirects_so_far=hop,
            )
            if isinstance(step, redirect.HopFailure):
                findings.append(
                    where.finding(
                        step.code,
                        Severity.ERROR,
                        status=reply.status,
                        header="Location",
                        value=reply.headers.get("Location"),
                        detail={"location": step.location, "scheme": step.scheme},
                    )
                )
                return _outcome(findings, exchanges)
            if step.tainted and not tainted:
                findings.append(
                    where.finding(
                        FindingCode.REDIRECT_TAINTED_ORIGIN,
                        Severity.INFO,
                        status=reply.status,
                        detail={"from_url": url, "to_url": step.url},
                    )
                )
            current = target
            method, headers, body, tainted = step.method, step.headers, step.body, step.tainted
            cors = cors or not same_origin(shape.origin, target.origin())
            hop += 1
            continue

        readable: tuple[str, ...] = ()
        if cors:
            can_read, hidden = readable_headers(reply.headers, shape.credentials)
            readable = tuple(can_read)
            if hidden:
                findings.append(
                    where.finding(
                        FindingCode.HEADERS_NOT_EXPOSED,
                        Severity.INFO,
                        detail={"names": ", ".join(hidden)},
                    )
                )
            findings.extend(
                f
                for f in (
                    advice.vary_origin(where, reply.headers, request_origin),
                    advice.wildcard_with_acac(where, reply.headers),
                    advice.local_network(where, shape.origin, reply.server_ip),
                )
                if f is not None
            )
        else:
            readable = tuple(dict.fromkeys(n.lower() for n in reply.headers.names()))
        return _outcome(findings, exchanges, reply.status, readable)
