"""The CORS check of a response, and which response headers script may read.

Facts (https://fetch.spec.whatwg.org/#concept-cors-check; Chromium `CheckAccess` in
services/network/public/cpp/cors/cors.cc), in Chromium's order, which decides the console message:
1. Several ACAO lines are joined with ", "; the value is trimmed of spaces and tabs.
2. `*` passes unless credentials are included; with credentials it fails as a wildcard error
   before ACAC is looked at, even when ACAC is `true`.
3. No ACAO header at all fails as "missing"; an empty header is present (and invalid).
4. A value unequal to the request's serialised origin (`null` after a tainting redirect) fails,
   classified by Chromium for its message: a space or comma means "multiple values"; `null` and
   any value that parses as a URL mean "mismatch"; anything else is "invalid".
5. With credentials, ACAC must be exactly `true` (case-sensitive, trimmed).
The response status plays no part. Exposure (https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name,
https://fetch.spec.whatwg.org/#concept-filtered-response-cors): the
seven safelisted names plus Access-Control-Expose-Headers; `*` exposes all only without
credentials; Set-Cookie is never exposed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cors_probe.codes import FindingCode
from cors_probe.model import DetailValue, Headers
from cors_probe.policy.grammar import parse_token_list, trim
from cors_probe.policy.url import UrlError, parse_url

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACEH = "Access-Control-Expose-Headers"

SAFELISTED_RESPONSE_HEADERS = frozenset(
    {
        "cache-control",
        "content-language",
        "content-length",
        "content-type",
        "expires",
        "last-modified",
        "pragma",
    }
)
NEVER_EXPOSED = frozenset({"set-cookie", "set-cookie2"})


@dataclass(frozen=True, slots=True)
class AccessFailure:
    """Why the CORS check failed: a finding code and the header and value it concerns."""

    code: FindingCode
    header: str
    value: str | None
    detail: Mapping[str, DetailValue] = field(default_factory=dict)
    """Typed facts for the finding (see `model.DetailValue`)."""


def _looks_like_origin_url(value: str) -> bool:
    """Whether Chromium's GURL would accept the value as a valid URL (for the message class)."""
    if not value or not value.isascii() or value != value.strip():
        return False
    parsed = parse_url(value)
    if isinstance(parsed, UrlError):
        return False
    return parsed.opaque is None or bool(parsed.opaque)


def cors_check(headers: Headers, request_origin: str, credentials: bool) -> AccessFailure | None:
    """Fetch's CORS check, in Chromium's order; None when the response passes.

    `request_origin` is the serialised Origin the request carried (`null` after a tainting
    redirect). Source: https://fetch.spec.whatwg.org/#concept-cors-check; the order and the
    message classes are Chromium's (cors.cc CheckAccess).
    """
    lines = headers.get_all(ACAO)
    if len(lines) == 1 and trim(lines[0]) == "*":
        if credentials:
            return AccessFailure(FindingCode.WILDCARD_WITH_CREDENTIALS, ACAO, lines[0])
    elif not lines:
        return AccessFailure(FindingCode.ACAO_MISSING, ACAO, None)
    else:
        value = trim(", ".join(lines))
        if value != request_origin:
            detail: dict[str, DetailValue] = {
                "request_origin": request_origin,
                "lines": len(lines),
            }
            if " " in value or "," in value:
                return AccessFailure(FindingCode.ACAO_MULTIPLE, ACAO, value, detail)
            if value == "null" or _looks_like_origin_url(value):
                return AccessFailure(FindingCode.ACAO_MISMATCH, ACAO, value, detail)
            return AccessFailure(FindingCode.ACAO_INVALID, ACAO, value, detail)
    if credentials:
        acac = headers.get(ACAC)
        if acac is None or trim(acac) != "true":
            return AccessFailure(FindingCode.ACAC_NOT_TRUE, ACAC, acac)
    return None


def readable_headers(headers: Headers, credentials: bool) -> tuple[list[str], list[str]]:
    """(names script can read, names it cannot), lower-cased, in response order, de-duplicated.

    Source: https://fetch.spec.whatwg.org/#concept-filtered-response-cors and
    https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name.
    """
    exposed = {item.lower() for item in parse_token_list(headers.get(ACEH)).items}
    wildcard = "*" in exposed and not credentials
    readable: list[str] = []
    hidden: list[str] = []
    for name in headers.lowered_names():
        if name in NEVER_EXPOSED:
            hidden.append(name)
        elif name in SAFELISTED_RESPONSE_HEADERS or wildcard or name in exposed:
            readable.append(name)
        else:
            hidden.append(name)
    return readable, hidden
