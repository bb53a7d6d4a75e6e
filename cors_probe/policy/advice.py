"""Warnings and notes: what does not block today but bites later, and how browsers differ.

Facts (Fetch §3.2.6 "CORS protocol and HTTP caches"; shared/docs/cors-rules.md §4 step 9, §6, §8):
- A server whose ACAO depends on the request's Origin must send `Vary: Origin`, or a shared cache
  hands one origin's answer to another.
- Access-Control-Max-Age: absent or empty means 5 s everywhere. Chromium caps at 7200 s, treats
  garbage as 5 s and a negative value as 0; Firefox caps at 86400 s and caches nothing for garbage,
  negative or 0; Safari caps at 600 s, treats garbage as 5 s and a negative value as 0.
- Chromium (142+) asks the user before a public page may call a private or loopback address
  (Local Network Access), and refuses outright from an insecure (http:) page.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from cors_probe.codes import FindingCode
from cors_probe.model import Finding, Headers, Origin, Severity, Stage
from cors_probe.policy.access import ACAC, ACAO
from cors_probe.policy.grammar import trim

MAX_AGE = "Access-Control-Max-Age"
DEFAULT_MAX_AGE = 5
CAPS = {"chrome": 7200, "firefox": 86400, "safari": 600}


@dataclass(frozen=True, slots=True)
class Where:
    """Which request a finding is about, for the words and console lines rendered later."""

    stage: Stage
    url: str
    first_url: str
    page_origin: str

    def finding(
        self,
        code: FindingCode,
        severity: Severity,
        *,
        status: int | None = None,
        header: str | None = None,
        value: str | None = None,
        detail: dict[str, str] | None = None,
    ) -> Finding:
        return Finding(
            code=code,
            severity=severity,
            stage=self.stage,
            url=self.url,
            first_url=self.first_url if self.first_url != self.url else "",
            page_origin=self.page_origin,
            status=status,
            header=header,
            value=value,
            detail=detail or {},
        )


def vary_origin(where: Where, headers: Headers, request_origin: str) -> Finding | None:
    """ACAO echoes the request's origin but `Vary` does not name Origin."""
    acao = headers.get(ACAO)
    if acao is None or trim(acao) != request_origin or request_origin == "*":
        return None
    vary = headers.get("Vary")
    names = {trim(v).lower() for v in (vary or "").split(",")}
    if "origin" in names or "*" in names:
        return None
    return where.finding(
        FindingCode.VARY_ORIGIN_MISSING, Severity.WARNING, header="Vary", value=vary
    )


def wildcard_with_acac(where: Where, headers: Headers) -> Finding | None:
    acao = headers.get(ACAO)
    acac = headers.get(ACAC)
    if acao is None or trim(acao) != "*" or acac is None:
        return None
    return where.finding(FindingCode.WILDCARD_WITH_ACAC, Severity.WARNING, header=ACAC, value=acac)


def effective_max_age(value: str | None) -> dict[str, int]:
    """Seconds each browser caches the preflight for (0: not cached)."""
    if value is None or trim(value) == "":
        return dict.fromkeys(CAPS, DEFAULT_MAX_AGE)
    text = trim(value)
    if not text.lstrip("-").isdigit():
        return {"chrome": DEFAULT_MAX_AGE, "firefox": 0, "safari": DEFAULT_MAX_AGE}
    seconds = int(text)
    if seconds <= 0:
        return dict.fromkeys(CAPS, 0)
    return {browser: min(seconds, cap) for browser, cap in CAPS.items()}


def max_age(where: Where, headers: Headers, preflight_ms: float) -> Finding | None:
    value = headers.get(MAX_AGE)
    if value is None:
        return where.finding(
            FindingCode.MAX_AGE_MISSING,
            Severity.WARNING,
            header=MAX_AGE,
            detail={"preflight_ms": f"{preflight_ms:.0f}"},
        )
    effective = {k: str(v) for k, v in effective_max_age(value).items()}
    text = trim(value)
    if text and not text.isdigit():
        return where.finding(
            FindingCode.MAX_AGE_INVALID,
            Severity.WARNING,
            header=MAX_AGE,
            value=value,
            detail=effective,
        )
    if text and int(text) > min(CAPS.values()):
        # Above Safari's 10 minutes only: worth knowing, nothing to fix. Above Chromium's 2 hours
        # the server's intent is lost in the browser most users run: a warning.
        return where.finding(
            FindingCode.MAX_AGE_CAPPED,
            Severity.WARNING if int(text) > CAPS["chrome"] else Severity.INFO,
            header=MAX_AGE,
            value=value,
            detail=effective,
        )
    return None


def address_space(address: str) -> str:
    """`loopback`, `private` or `public`, as Chromium's Local Network Access classifies IPs."""
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return "public"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "loopback"
    if ip.is_private or ip.is_link_local:
        return "private"
    return "public"


def page_address_space(origin: Origin) -> str:
    """Best guess at the page's address space from its origin (a name is taken to be public)."""
    if origin.opaque:
        return "public"
    host = origin.host
    if host == "localhost" or host.endswith(".localhost"):
        return "loopback"
    return address_space(host)


_SPACE_RANK = {"public": 0, "private": 1, "loopback": 2}


def local_network(where: Where, page: Origin, server_ip: str | None) -> Finding | None:
    if server_ip is None:
        return None
    target = address_space(server_ip)
    if _SPACE_RANK[target] <= _SPACE_RANK[page_address_space(page)]:
        return None
    return where.finding(
        FindingCode.LOCAL_NETWORK_ACCESS,
        Severity.WARNING,
        detail={"address": server_ip, "space": target, "secure": str(page.scheme == "https")},
    )
