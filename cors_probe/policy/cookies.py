"""Cookies on CORS responses: which `Set-Cookie` each engine rejects, keeps out of cross-site
fetches, partitions, blocks as third-party, or stores and sends back.

The CORS verdict says whether script may read the response; whether the session cookie comes
back on the next `credentials: 'include'` fetch is a second question users debug as a CORS
problem. The rules, sans-I/O, for a `Set-Cookie` received on an actual response (a redirect's
too: the network layer stores cookies before the CORS check, so a blocked response sets them as
well; a preflight carries no credentials and its cookies are ignored):

- Parsing: https://datatracker.ietf.org/doc/html/draft-ietf-httpbis-rfc6265bis (5.6, the
  Set-Cookie header; 5.7, storage): name, SameSite, Secure, Partitioned, Domain, Path, and the
  `__Secure-`/`__Host-` prefixes (4.1.3).
- Cookies are stored at all only when the fetch includes credentials: a cross-origin fetch in
  `same-origin` mode ignores `Set-Cookie` (https://fetch.spec.whatwg.org/#http-network-fetch,
  "includeCredentials").
- Rejection when set, each engine checking in its own order (`Browser.cookie_checks`): Secure
  from a URL that is not potentially trustworthy (http://localhost is trustworthy: both Chromium
  and Firefox keep Secure cookies there), a prefix whose conditions fail, a Domain that does not
  domain-match the host or is a public suffix, `Partitioned` without Secure, `SameSite=None`
  without Secure (Chromium net/cookies/canonical_cookie.cc; Firefox
  netwerk/cookie/CookieService.cpp; WebKit does not require Secure with SameSite=None).
- In a cross-site context (the response URL's schemeful site differs from the page's,
  https://html.spec.whatwg.org/multipage/browsers.html#same-site): the engine's third-party
  cookie policy (`Browser.third_party_cookies`) first, as Chromium reports `UserPreferences`
  before any SameSite reason; then SameSite `Lax`/`Strict` (and, in Chromium, no SameSite at
  all: Lax by default, `Browser.same_site_lax_by_default`) refuse the cookie on this response
  and keep it off any cross-site fetch even when it was set first-party. Chromium's 2-minute
  "Lax+POST" allowance applies to top-level POST navigations only, never to fetch().
- `Partitioned` (CHIPS, https://developer.mozilla.org/en-US/docs/Web/Privacy/Guides/Privacy_sandbox/Partitioned_cookies):
  stored in the page's top-level site's partition and sent only from it (Chromium, Firefox;
  `Browser.partitioned_cookies`). Firefox's Total Cookie Protection partitions every foreign
  cookie and warns about those without the attribute.

Measured by tests/browser/test_cookies.py (a first credentialed fetch sets the cookies, a second
one shows which arrive) in Chromium 156, Firefox 153 ESR and WebKitGTK 2.50.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from cors_probe.codes import FindingCode
from cors_probe.model import Finding, Origin, Severity, WireResponse
from cors_probe.policy.browsers import BROWSERS, Browser, CookieCheck
from cors_probe.policy.findings import Where
from cors_probe.policy.metadata import fetch_site, is_ip, is_trustworthy, public_suffixes
from cors_probe.policy.url import Url

SET_COOKIE = "Set-Cookie"


@dataclass(frozen=True, slots=True)
class SetCookie:
    """One `Set-Cookie` line's facts (never its value: cookie values are secrets)."""

    name: str
    same_site: str | None
    """`strict`, `lax` or `none` (lower-cased); None when absent or not one of these, which
    RFC 6265bis treats as the default enforcement."""
    secure: bool
    partitioned: bool
    domain: str | None
    """The Domain attribute, lower-cased and without a leading dot; None when absent or empty."""
    path: str | None
    same_site_invalid: bool = False
    """A SameSite attribute whose value is none of Strict, Lax, None (then `same_site` is None:
    Chromium treats it as absent, Lax by default; Firefox as None, and warns)."""


def parse_set_cookie(line: str) -> SetCookie | None:
    """The facts of one Set-Cookie header value, or None when user agents ignore the line (an
    empty name and value). The last occurrence of an attribute wins. Source: RFC 6265bis 5.6."""
    pair, _, rest = line.partition(";")
    name, equals, value = pair.partition("=")
    if not equals:  # a nameless cookie: the whole pair is its value
        name, value = "", name
    name, value = name.strip(" \t"), value.strip(" \t")
    if not name and not value:
        return None
    same_site: str | None = None
    secure = partitioned = invalid = False
    domain: str | None = None
    path: str | None = None
    for attribute in rest.split(";"):
        key, _, raw = attribute.partition("=")
        key, raw = key.strip(" \t").lower(), raw.strip(" \t")
        if key == "samesite":
            same_site = raw.lower() if raw.lower() in ("strict", "lax", "none") else None
            invalid = same_site is None
        elif key == "secure":
            secure = True
        elif key == "partitioned":
            partitioned = True
        elif key == "domain":
            domain = raw.lstrip(".").lower() or None
        elif key == "path":
            path = raw if raw.startswith("/") else None
    return SetCookie(name, same_site, secure, partitioned, domain, path, invalid)


class Fate(StrEnum):
    """What an engine does with one cookie a response sets, seen from the next fetch."""

    SENT = "sent"
    """Stored, and sent on the next credentialed fetch from any site."""
    PARTITIONED = "partitioned"
    """Stored in the page's top-level site's partition: sent only from this site."""
    NOT_SENT_CROSS_SITE = "not-sent-cross-site"
    """SameSite Lax or Strict (stated or by default): refused on this cross-site response, and
    never sent on a cross-site fetch even when set first-party."""
    THIRD_PARTY_BLOCKED = "third-party-blocked"
    """The engine's third-party cookie policy: not stored, not sent."""
    REJECTED = "rejected"
    """Invalid as set (see `CookieCheck`): not stored."""
    IGNORED = "ignored"
    """The fetch does not include credentials: Set-Cookie on a cross-origin response is ignored."""


@dataclass(frozen=True, slots=True)
class Judgement:
    """One engine's fate for one cookie, and why."""

    fate: Fate
    reason: str = ""
    """For REJECTED the `CookieCheck`; for NOT_SENT_CROSS_SITE `lax`, `strict` or `default`;
    for PARTITIONED `attribute` (Partitioned was set) or `foreign` (Firefox's Total Cookie
    Protection partitioned it anyway)."""


@dataclass(frozen=True, slots=True)
class Context:
    """Where a Set-Cookie was received: the response's URL, the page, the fetch's mode."""

    url: Url
    page: Origin
    credentials: bool
    """The fetch's credentials mode is `include`."""

    @property
    def cross_origin(self) -> bool:
        return self.page.opaque or self.url.origin().serialise() != self.page.serialise()

    @property
    def cross_site(self) -> bool:
        return fetch_site(self.page, [self.url]) == "cross-site"


def _domain_invalid(domain: str | None, host: str) -> bool:
    """RFC 6265bis 5.7 steps 7-9: the Domain must domain-match the host and not be a public
    suffix (unless it is the host itself, which then makes a host-only cookie)."""
    if domain is None or domain == host:
        return False
    if is_ip(host) or not host.endswith("." + domain):
        return True
    return bool(public_suffixes().is_public(domain))


def _failed_checks(cookie: SetCookie, context: Context, browser: Browser) -> set[CookieCheck]:
    host = context.url.host.strip("[]").lower()
    trustworthy = is_trustworthy(context.url)
    failed: set[CookieCheck] = set()
    if cookie.secure and not trustworthy:
        failed.add("secure-insecure-url")
    lowered = cookie.name.lower()
    if lowered.startswith("__secure-") and not (cookie.secure and trustworthy):
        failed.add("prefix")
    if lowered.startswith("__host-") and not (
        cookie.secure and trustworthy and cookie.domain is None and cookie.path == "/"
    ):
        failed.add("prefix")
    if _domain_invalid(cookie.domain, host):
        failed.add("invalid-domain")
    if browser.partitioned_cookies and cookie.partitioned and not cookie.secure:
        failed.add("partitioned-insecure")
    if browser.same_site_none_requires_secure and cookie.same_site == "none" and not cookie.secure:
        failed.add("samesite-none-insecure")
    return failed


def judge(cookie: SetCookie, context: Context, browser: Browser) -> Judgement:
    """`browser`'s fate for `cookie` set by a response in `context`. Sources: the module's."""
    if context.cross_origin and not context.credentials:
        return Judgement(Fate.IGNORED)
    failed = _failed_checks(cookie, context, browser)
    for check in browser.cookie_checks:
        if check in failed:
            return Judgement(Fate.REJECTED, check)
    if not context.cross_site:
        return Judgement(Fate.SENT)
    partitioned = cookie.partitioned and browser.partitioned_cookies
    if browser.third_party_cookies == "blocked" and not partitioned:
        return Judgement(Fate.THIRD_PARTY_BLOCKED)
    same_site = cookie.same_site or ("lax" if browser.same_site_lax_by_default else "none")
    if same_site != "none":
        return Judgement(Fate.NOT_SENT_CROSS_SITE, same_site if cookie.same_site else "default")
    if partitioned:
        return Judgement(Fate.PARTITIONED, "attribute")
    if browser.third_party_cookies == "partitioned":
        return Judgement(Fate.PARTITIONED, "foreign")
    return Judgement(Fate.SENT)


_FINDINGS: dict[Fate, tuple[FindingCode, Severity]] = {
    Fate.REJECTED: (FindingCode.COOKIE_REJECTED, Severity.WARNING),
    Fate.NOT_SENT_CROSS_SITE: (FindingCode.COOKIE_NOT_SENT_CROSS_SITE, Severity.WARNING),
    Fate.THIRD_PARTY_BLOCKED: (FindingCode.THIRD_PARTY_COOKIES_BLOCKED, Severity.WARNING),
    Fate.PARTITIONED: (FindingCode.COOKIE_PARTITIONED, Severity.INFO),
    Fate.IGNORED: (FindingCode.COOKIE_IGNORED_WITHOUT_CREDENTIALS, Severity.WARNING),
}


def set_cookies(response: WireResponse) -> list[SetCookie]:
    """Every cookie `response` sets, in order (lines user agents ignore left out)."""
    parsed = (parse_set_cookie(line) for line in response.headers.get_all(SET_COOKIE))
    return [c for c in parsed if c is not None]


def cookie_findings(
    where: Where,
    response: WireResponse,
    context: Context,
    browser: Browser,
    engines: Sequence[Browser] = BROWSERS,
) -> list[Finding]:
    """A finding for each cookie `response` sets that `browser` does not simply store and send
    (the fates in `_FINDINGS`), in header order, after a `cookie-samesite-invalid` for a cookie
    whose SameSite value no engine knows. detail: name, reason (as `Judgement.reason`,
    may be empty), engines (the report keys, comma-joined, of every engine in `engines` with the
    same fate and reason: the user learns which engines share the problem). Never the value."""
    found: list[Finding] = []
    for cookie in set_cookies(response):
        judgement = judge(cookie, context, browser)
        if cookie.same_site_invalid and judgement.fate is not Fate.IGNORED:
            found.append(
                where.finding(
                    FindingCode.COOKIE_SAMESITE_INVALID,
                    Severity.WARNING,
                    status=response.status,
                    header=SET_COOKIE,
                    detail={
                        "name": cookie.name,
                        "reason": "lax" if browser.same_site_lax_by_default else "none",
                        "engines": ", ".join(b.name for b in engines),
                    },
                )
            )
        if judgement.fate not in _FINDINGS:
            continue
        code, severity = _FINDINGS[judgement.fate]
        sharing = _sharing(cookie, context, judgement, engines)
        found.append(
            where.finding(
                code,
                severity,
                status=response.status,
                header=SET_COOKIE,
                detail={"name": cookie.name, "reason": judgement.reason, "engines": sharing},
            )
        )
    return found


def _sharing(
    cookie: SetCookie, context: Context, judgement: Judgement, engines: Iterable[Browser]
) -> str:
    return ", ".join(b.name for b in engines if judge(cookie, context, b) == judgement)
