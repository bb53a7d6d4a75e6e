"""The gates a request passes before anything is sent: Mixed Content and Local Network Access.

Sans-I/O like the rest of `policy`: a target host's address is handed in by a `Resolve`
function the caller supplies (the use case resolves with the probe, a dry run too; a caller
without one gates only IP literals and `localhost` names). The conversation asks the gates for
every URL of the fetch, redirect targets included, before that URL's preflight.

Facts, measured in Chromium 156 (tests/browser/test_gates.py):
- Mixed Content (https://w3c.github.io/webappsec-mixed-content/#should-block-fetch): an https
  page's fetch() of an http URL that is not potentially trustworthy
  (https://w3c.github.io/webappsec-secure-contexts/#is-origin-trustworthy: 127.0.0.0/8, ::1,
  `localhost` and `*.localhost` are) is blocked before any request, also at a redirect's target;
  fetch() is not auto-upgraded. Chromium, Firefox 153 ESR and WebKit alike.
- Local Network Access (https://wicg.github.io/local-network-access/; Chromium
  services/network/private_network_access_checker.cc): a request from a page in a more public
  address space (public < local < loopback) to a more private one fails before anything is sent
  when the page is not a secure context ("The request client is not a secure context and the
  resource is in more-private address space `loopback`."); from a secure context the user is
  asked (permission `loopback-network` for loopback targets, `local-network` for local ones, two
  separate permissions in 156), a denial prints "Permission was denied for this request to
  access the `loopback` address space.". No preflight of its own: with the permission granted
  the request is sent as any CORS request, without `Access-Control-Request-Private-Network`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from cors_probe.codes import FindingCode
from cors_probe.model import (
    AddressSpace,
    DetailValue,
    Finding,
    LocalNetworkPermission,
    Origin,
    Severity,
)
from cors_probe.policy.browsers import Browser
from cors_probe.policy.findings import Where
from cors_probe.policy.metadata import HOSTS_KEPT, is_localhost, potentially_trustworthy
from cors_probe.policy.url import Url

Resolve = Callable[[str], str | None]
"""A host name -> the IP address the browser would connect to (as text), None when unknown."""

_RANK = {AddressSpace.PUBLIC: 0, AddressSpace.LOCAL: 1, AddressSpace.LOOPBACK: 2}


@lru_cache(maxsize=HOSTS_KEPT)
def address_space(address: str) -> AddressSpace | None:
    """The address space of an IP literal (IPv6 with or without brackets; IPv4-mapped IPv6 as its
    IPv4), None when `address` is not an IP literal. Loopback: 127.0.0.0/8 and ::1; local: the
    private, shared (100.64/10), link-local and unique-local ranges; public: the rest.
    Source: https://wicg.github.io/local-network-access/#ip-address-space (Chromium
    services/network/public/cpp/ip_address_space_util.cc)."""
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return AddressSpace.LOOPBACK
    shared = isinstance(ip, ipaddress.IPv4Address) and ip in ipaddress.ip_network("100.64.0.0/10")
    if ip.is_private or ip.is_link_local or shared:
        return AddressSpace.LOCAL if not ip.is_unspecified else AddressSpace.LOOPBACK
    return AddressSpace.PUBLIC


@lru_cache(maxsize=HOSTS_KEPT)
def host_space(host: str) -> AddressSpace | None:
    """What a host classifies as by itself: an IP literal's space, loopback for localhost
    names, None for any other name (it must be resolved)."""
    if is_localhost(host):
        return AddressSpace.LOOPBACK
    return address_space(host)


def secure_context(page: Origin) -> bool:
    """Whether a page of this origin is a secure context (top-level): its origin is potentially
    trustworthy. An opaque origin is not (https://html.spec.whatwg.org/#secure-context)."""
    return not page.opaque and potentially_trustworthy(page.scheme, page.host)


def page_space(
    page: Origin, explicit: AddressSpace | None, address: str | None
) -> tuple[AddressSpace | None, bool]:
    """(the page's address space, whether it was assumed). `explicit` (`--page-address-space`)
    wins; an opaque origin (`null`, file://) has none (no gate applies); an IP literal or
    localhost name classifies itself; a name takes its resolved `address`'s space, or public,
    assumed, when it did not resolve."""
    if explicit is not None:
        return explicit, False
    if page.opaque or page.scheme not in ("http", "https"):
        return None, False
    own = host_space(page.host)
    if own is not None:
        return own, False
    resolved = address_space(address) if address is not None else None
    if resolved is None:
        return AddressSpace.PUBLIC, True
    return resolved, False


def mixed_content(page: Origin, url: Url, browser: Browser, where: Where) -> Finding | None:
    """MIXED_CONTENT when an https page fetches `url` over http and `url` is not potentially
    trustworthy (https://w3c.github.io/webappsec-mixed-content/#should-block-fetch), or is a
    loopback URL in an engine that blocks those too (`Browser.mixed_content_allows_loopback`).
    detail: page_url (the page's URL as cors-probe knows it: its origin and `/`), trustworthy
    (bool: `url` is potentially trustworthy, blocked only by such an engine)."""
    if page.opaque or page.scheme != "https" or url.scheme != "http":
        return None
    trustworthy = potentially_trustworthy(url.scheme, url.host)
    if trustworthy and browser.mixed_content_allows_loopback:
        return None
    return where.finding(
        FindingCode.MIXED_CONTENT,
        Severity.ERROR,
        detail={"page_url": page.serialise() + "/", "trustworthy": trustworthy},
    )


@dataclass(frozen=True, slots=True)
class Target:
    """Where a URL's request would connect: its address (IP literal, or as resolved) and space."""

    address: str
    space: AddressSpace


def target_of(url: Url, resolve: Resolve | None) -> Target | None:
    """The address and space `url`'s request connects to; None when it cannot be known (a name
    with no `resolve`, or one that does not resolve: then the probe fails to connect too)."""
    host = url.host.strip("[]")
    own = host_space(host)
    if own is not None:
        return Target(host if address_space(host) is not None else "127.0.0.1", own)
    address = resolve(host) if resolve is not None else None
    space = address_space(address) if address is not None else None
    if address is None or space is None:
        return None
    return Target(address, space)


def local_network(
    page: Origin,
    space: AddressSpace | None,
    assumed: bool,
    permission: LocalNetworkPermission | None,
    target: Target | None,
    browser: Browser,
    where: Where,
    *,
    preflight: bool = False,
) -> Finding | None:
    """The Local Network Access gate for one URL, when `browser` has it
    (`Browser.local_network_access`) and the page (in `space`) is more public than `target`:
    LOCAL_NETWORK_INSECURE_PAGE (error) from a page that is not a secure context in an engine
    that refuses those (`Browser.local_network_blocks_insecure_pages`), LOCAL_NETWORK_DENIED
    (error) when `permission` is denied, else LOCAL_NETWORK_ACCESS (a warning while the user
    will be asked, info once granted). None when no gate applies. `preflight`: the request at
    this URL would be preflighted (Firefox's denial is then told differently)."""
    if not browser.local_network_access or space is None or target is None:
        return None
    if _RANK[target.space] <= _RANK[space]:
        return None
    detail: dict[str, DetailValue] = {
        "address": target.address,
        "space": target.space.value,
        "page_space": space.value,
        "assumed": assumed,
        "secure": secure_context(page),
        "preflight": preflight,
    }
    if not secure_context(page) and browser.local_network_blocks_insecure_pages:
        return where.finding(FindingCode.LOCAL_NETWORK_INSECURE_PAGE, Severity.ERROR, detail=detail)
    given = permission or LocalNetworkPermission.PROMPT
    if given is LocalNetworkPermission.DENIED:
        return where.finding(
            FindingCode.LOCAL_NETWORK_DENIED,
            Severity.ERROR,
            detail={**detail, "permission": given.value},
        )
    severity = Severity.INFO if given is LocalNetworkPermission.GRANTED else Severity.WARNING
    return where.finding(
        FindingCode.LOCAL_NETWORK_ACCESS, severity, detail={**detail, "permission": given.value}
    )
