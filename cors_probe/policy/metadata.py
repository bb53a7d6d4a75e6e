"""The headers a browser adds to every fetch() request: User-Agent, Accept-*, Referer, Fetch
Metadata (Sec-Fetch-*), client hints, Priority, each engine in its own order.

Servers judge requests by these: a Fetch Metadata resource-isolation policy refuses
`Sec-Fetch-Site: cross-site` unless it is a navigation, a WAF or bot filter keys on User-Agent.
So the probe sends what the engine sends. Sources:
- Fetch Metadata: https://w3c.github.io/webappsec-fetch-metadata/ (`Sec-Fetch-Site` over the
  request's whole URL list, only to potentially trustworthy URLs:
  https://w3c.github.io/webappsec-secure-contexts/#is-url-trustworthy); for fetch() the mode is
  `cors` (`same-origin` requests too) and the destination `empty`.
- Referer: the default referrer policy `strict-origin-when-cross-origin`
  (https://w3c.github.io/webappsec-referrer-policy/#referrer-policy-strict-origin-when-cross-origin);
  the page's path is not known here, so the referrer is the page's origin and `/`.
- Same-site: https://html.spec.whatwg.org/multipage/browsers.html#same-site (schemeful), with
  registrable domains from the Public Suffix List (the `publicsuffixlist` package).
- Each engine's values and header order: `browsers.Browser`, measured by the browser referee.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING

from cors_probe.model import Headers, Origin
from cors_probe.policy.browsers import SCRIPT, Browser
from cors_probe.policy.url import Url

if TYPE_CHECKING:
    from publicsuffixlist import PublicSuffixList

SEC_FETCH_MODE = "cors"
SEC_FETCH_DEST = "empty"
HOSTS_KEPT = 1024
"""How many host names the pure look-ups below remember (`functools.lru_cache`): a run's checks
ask about the same few hosts thousands of times; a bound keeps a run of many hosts flat."""


@lru_cache(maxsize=HOSTS_KEPT)
def is_ip(host: str) -> bool:
    """Whether `host` is an IP address literal (IPv6 with or without its brackets)."""
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def is_localhost(host: str) -> bool:
    """`localhost` or a name under `.localhost` (trailing dot allowed)."""
    name = host.rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost")


@lru_cache(maxsize=HOSTS_KEPT)
def potentially_trustworthy(scheme: str, host: str) -> bool:
    """Whether an origin is potentially trustworthy: https/wss, or a loopback host (`localhost`,
    `*.localhost`, 127.0.0.0/8, ::1). Source: https://w3c.github.io/webappsec-secure-contexts/#is-origin-trustworthy."""
    if scheme in ("https", "wss"):
        return True
    bare = host.strip("[]")
    if is_localhost(bare):
        return True
    return is_ip(bare) and ipaddress.ip_address(bare).is_loopback


def is_trustworthy(url: Url) -> bool:
    """Whether `url`'s origin is potentially trustworthy (`potentially_trustworthy`)."""
    return potentially_trustworthy(url.scheme, url.host)


@cache
def public_suffixes() -> PublicSuffixList:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


@lru_cache(maxsize=HOSTS_KEPT)
def site(scheme: str, host: str) -> tuple[str, str]:
    """The schemeful site of an origin: (scheme, registrable domain), or the host itself for an
    IP address or a host with no registrable domain (`localhost`)."""
    if not host or is_ip(host):
        return scheme, host
    registrable = public_suffixes().privatesuffix(host)
    return scheme, registrable or host


def _may_share_a_site(a: str, b: str) -> bool:
    """False when two hosts cannot be same-site whatever the Public Suffix List says (an IP and
    another host, different last labels), so that the list, about 80 ms to load, is read only
    when it decides."""
    if is_ip(a) or is_ip(b):
        return a == b
    return a.rsplit(".", 1)[-1] == b.rsplit(".", 1)[-1]


def fetch_site(page: Origin, urls: Iterable[Url]) -> str:
    """`Sec-Fetch-Site` for a request from `page` that has visited `urls` (the URL list so far):
    `same-origin`, `same-site` or `cross-site`, the least related of them all."""
    if page.opaque:
        return "cross-site"
    value = "same-origin"
    for url in urls:
        target = url.origin()
        if target.opaque:
            return "cross-site"
        if (target.scheme, target.host, target.port) == (page.scheme, page.host, page.port):
            continue
        if target.scheme != page.scheme or not _may_share_a_site(target.host, page.host):
            return "cross-site"
        if site(target.scheme, target.host) != site(page.scheme, page.host):
            return "cross-site"
        value = "same-site"
    return value


def referrer(page: Origin, url: Url) -> str | None:
    """The Referer under `strict-origin-when-cross-origin`: the page's origin and `/`, none from
    an opaque page or from a secure page to a URL that is not potentially trustworthy."""
    if page.opaque:
        return None
    if page.scheme == "https" and not is_trustworthy(url):
        return None
    return page.serialise() + "/"


def dress(
    browser: Browser,
    given: Headers,
    *,
    url: Url,
    url_list: Sequence[Url],
    page: Origin,
    preflight: bool,
    user_agent: str | None = None,
    credentials: bool = False,
    mode: str = SEC_FETCH_MODE,
) -> Headers:
    """`given` (the request's own headers: the script's, Accept, Origin, Cookie; a preflight's
    Accept, Access-Control-Request-*, Origin) with the engine's default headers added and all
    in the engine's order. A default the request already has (a script-set Accept-Language) is not
    added again. `user_agent` overrides the engine's User-Agent (`--user-agent`). A preflight is
    a request of its own: its Sec-Fetch-Site looks at its URL only, and it carries no client
    hints and no credentials (`credentials`: the actual request's mode is `include`). `mode` is
    the request's mode for `Sec-Fetch-Mode` (a preflight's is always `cors`). The defaults and
    the order depend on the URLs' origins only, not on their paths: remembered (`_defaults`)."""
    key = (
        id(browser),
        url.scheme,
        url.host,
        url.port,
        tuple([(u.scheme, u.host, u.port) for u in url_list]),
        page.scheme,  # the page's fields, not the Origin: its dataclass hash is Python code
        page.host,
        page.port,
        page.opaque,
        preflight,
        user_agent,
        credentials,
        mode,
    )
    kept = _DEFAULTS.get(key)
    if kept is None or kept[0] is not browser:
        defaults, order = _defaults(
            browser,
            url=url,
            url_list=url_list,
            page=page,
            preflight=preflight,
            user_agent=user_agent,
            credentials=credentials,
            mode=mode,
        )
        kept = (browser, defaults, tuple([n for n, _ in defaults]), order, {})
        if len(_DEFAULTS) >= DEFAULTS_KEPT:
            _DEFAULTS.clear()
        _DEFAULTS[key] = kept
    _, defaults, default_names, order, arrangements = kept
    pairs = given.pairs + defaults
    names = tuple([n for n, _ in given.pairs])
    arrangement = arrangements.get(names)
    if arrangement is None:
        if len(arrangements) >= ARRANGEMENTS_KEPT:
            arrangements.clear()
        arrangement = arrangements[names] = _merged(names, default_names, order)
    return Headers(tuple([pairs[i] for i in arrangement]))


DEFAULTS_KEPT = 256
"""How many sets of default headers `dress` remembers (then it forgets them all): a run's
checks go to a few origins from a few pages."""
ARRANGEMENTS_KEPT = 64
"""How many arrangements (`_merged`) an entry of `_DEFAULTS` remembers, by the given headers'
names (then it forgets them all): a run's checks send the same few lists of names."""
_DEFAULTS: dict[
    object,
    tuple[
        Browser,
        tuple[tuple[str, str], ...],
        tuple[str, ...],
        tuple[str, ...],
        dict[tuple[str, ...], tuple[int, ...]],
    ],
] = {}
"""`dress`'s remembered `_defaults`, by the engine's id and every other input of `_defaults`
but the URLs' paths and queries, with the arrangements (`_merged`) made with them, by the given
headers' names (no hash of the long default and order tuples on every call). An entry holds its
engine, so no other engine can have that id while it is kept; a hit is taken only for that very
engine object."""


def _defaults(
    browser: Browser,
    *,
    url: Url,
    url_list: Sequence[Url],
    page: Origin,
    preflight: bool,
    user_agent: str | None,
    credentials: bool,
    mode: str,
) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """(the engine's default headers for a request to `url` after `url_list`, the engine's
    header order for it): `dress`'s work that looks at URLs' origins only."""
    defaults: list[tuple[str, str]] = [
        ("User-Agent", user_agent if user_agent is not None else browser.user_agent),
        ("Accept-Language", browser.accept_language),
        ("Accept-Encoding", browser.accept_encoding),
    ]
    order = browser.preflight_order if preflight else browser.actual_order
    metadata = True
    if not preflight and len(url_list) > 1:
        order = browser.redirected_order or order
        crossed = any(
            a.origin().serialise() != b.origin().serialise() for a, b in pairwise(url_list)
        )
        # WebKit leaves Fetch Metadata off a CORS request only (scenario
        # modes-no-cors-corp-same-site-after-redirect keeps it in no-cors mode)
        if crossed and browser.cross_redirected_order is not None and mode == SEC_FETCH_MODE:
            order, metadata = browser.cross_redirected_order, False
    if metadata and is_trustworthy(url):
        whole = not preflight or browser.preflight_site_whole_chain
        site_ = fetch_site(page, url_list if whole else [url])
        if not preflight:
            defaults.extend(browser.client_hints)
        defaults.extend(
            [
                ("Sec-Fetch-Site", site_),
                ("Sec-Fetch-Mode", SEC_FETCH_MODE if preflight else mode),
                ("Sec-Fetch-Dest", SEC_FETCH_DEST),
            ]
        )
        if browser.storage_access and credentials and not preflight and site_ == "cross-site":
            defaults.append(("Sec-Fetch-Storage-Access", "none"))
    referer = referrer(page, url)
    if referer is not None:
        defaults.append(("Referer", referer))
    if browser.priority is not None:
        defaults.append(("Priority", browser.priority))
    return tuple(defaults), tuple(order)


ORDERS_KEPT = 256
"""How many (header names, engine order) arrangements `_arrangement` remembers: a run's checks
send the same few header lists thousands of times (values differ, names do not)."""


def _ordered(pairs: list[tuple[str, str]], order: Sequence[str]) -> list[tuple[str, str]]:
    """`pairs` in `order`: each named header where its name stands (all pairs of that name, in
    their order), the others (the script's) where `SCRIPT` stands, else last. The arrangement
    depends only on the names, so it is remembered by names (`_arrangement`)."""
    arrangement = _arrangement(tuple([n for n, _ in pairs]), tuple(order))
    return [pairs[i] for i in arrangement]


@lru_cache(maxsize=ORDERS_KEPT)
def _merged(
    given: tuple[str, ...], defaults: tuple[str, ...], order: tuple[str, ...]
) -> tuple[int, ...]:
    """`dress`'s arrangement: positions in `given` + `defaults` (header names) of the given
    headers and of each default the given ones do not name (any case), in `_ordered`'s order."""
    present = {n.lower() for n in given}
    chosen = [*range(len(given))]
    chosen += [len(given) + j for j, n in enumerate(defaults) if n.lower() not in present]
    names = given + defaults
    return tuple([chosen[i] for i in _arrangement(tuple([names[i] for i in chosen]), order)])


@lru_cache(maxsize=ORDERS_KEPT)
def _arrangement(names: tuple[str, ...], order: tuple[str, ...]) -> tuple[int, ...]:
    """The positions in `names` (header names as given, any case), in the order `_ordered` puts
    their pairs."""
    tokens, named = _tokens(order)
    by_name: dict[str, list[int]] = {}
    script: list[int] = []
    for position, name in enumerate(names):
        lowered = name.lower()
        if lowered in named:
            by_name.setdefault(lowered, []).append(position)
        else:
            script.append(position)
    out: list[int] = []
    for token in tokens:
        out.extend(script if token is None else by_name.get(token, ()))
    if None not in tokens:
        out.extend(script)
    return tuple(out)


@lru_cache(maxsize=64)
def _tokens(order: tuple[str, ...]) -> tuple[tuple[str | None, ...], frozenset[str]]:
    """An engine's header order with names lower-cased and `SCRIPT` as None, and the names."""
    tokens = tuple(None if t == SCRIPT else t.lower() for t in order)
    return tokens, frozenset(t for t in tokens if t is not None)
