"""Words for the cookie findings (policy/cookies.py): title, explanation, smallest fix, and the
console line where an engine prints one.

Chromium prints cookie problems to DevTools' Issues panel, never the console (measured: no
console entry for any of them); WebKitGTK prints nothing either. Firefox prints a warning per
cookie, measured by tests/browser/test_cookies.py (netwerk/cookie/CookieLogging.cpp, strings in
netwerk/locales/en-US/necko.properties). Firefox's warning for a cookie Secure from an http: URL
that is not potentially trustworthy cannot be measured on loopback (http://localhost is
trustworthy), so none is predicted.
"""

from __future__ import annotations

from typing import NamedTuple

from cors_probe.model import Finding


class Explanation(NamedTuple):
    """The words for one cookie finding; catalogue.py makes them its `Explanation`."""

    title: str
    message: str
    fix: str
    firefox: str | None = None


_LABELS = {"chrome": "Chrome", "firefox": "Firefox", "safari": "Safari"}


def _name(f: Finding) -> str:
    return str(f.detail.get("name", ""))


def _engines(f: Finding) -> str:
    keys = [k for k in str(f.detail.get("engines", "")).split(", ") if k]
    labels = [_LABELS.get(k, k) for k in keys]
    if not labels:
        return "The browser"
    if len(labels) == 1:
        return labels[0]
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def _verb(f: Finding, one: str, many: str) -> str:
    """`one` after a single engine's name, `many` after several (`refuses`, `refuse`)."""
    return many if ", " in str(f.detail.get("engines", "")) else one


def _reason(f: Finding) -> str:
    return str(f.detail.get("reason", ""))


_REJECTED = {
    "secure-insecure-url": (
        "it is marked Secure but was set by an http: URL that is not potentially trustworthy",
        "Serve the API over https (only https or localhost may set Secure cookies).",
        None,
    ),
    "prefix": (
        "its `__Secure-`/`__Host-` prefix demands what it lacks (`__Secure-`: Secure; `__Host-`: "
        "Secure, `Path=/` and no Domain)",
        "Add `Secure` (and for `__Host-`: `Path=/`, no Domain), or drop the prefix.",
        "Cookie “{name}” has been rejected for invalid prefix.",
    ),
    "invalid-domain": (
        "its Domain attribute does not cover the host that set it (or is a public suffix)",
        "Drop the Domain attribute, or set it to the API's own registrable domain.",
        "Cookie “{name}” has been rejected for invalid domain.",
    ),
    "partitioned-insecure": (
        "it is Partitioned but not Secure",
        "Add `Secure`: `SameSite=None; Secure; Partitioned`.",
        "Cookie “{name}” has been rejected because it has the “Partitioned” attribute but is "
        "missing the “secure” attribute.",
    ),
    "samesite-none-insecure": (
        "it says `SameSite=None` without `Secure`",
        "Add `Secure`: `SameSite=None; Secure` (over https, or localhost while developing).",
        "Cookie “{name}” rejected because it has the “SameSite=None” attribute but is missing "
        "the “secure” attribute.",
    ),
}


def cookie_rejected(f: Finding) -> Explanation:
    why, fix, firefox = _REJECTED.get(_reason(f), ("it is invalid", "Fix the cookie.", None))
    return Explanation(
        f"Cookie `{_name(f)}` is rejected",
        f"{_engines(f)} {_verb(f, 'refuses', 'refuse')} to store the cookie `{_name(f)}` set "
        f"by {f.url}: {why}. The fetch itself may pass CORS, but the next credentialed "
        "request will not carry it.",
        fix,
        firefox=firefox.format(name=_name(f)) if firefox else None,
    )


def cookie_not_sent_cross_site(f: Finding) -> Explanation:
    reason = _reason(f)
    stated = (
        "has no SameSite attribute, which Chrome treats as `SameSite=Lax`"
        if reason == "default"
        else f"says `SameSite={reason.capitalize()}`"
    )
    return Explanation(
        f"Cookie `{_name(f)}` is not sent on cross-site requests",
        f"The cookie `{_name(f)}` {stated}, and the page {f.page_origin} is on another site "
        f"than {f.url}: {_engines(f)} {_verb(f, 'refuses', 'refuse')} to store it from this "
        f"cross-site response and never {_verb(f, 'sends', 'send')} it on a cross-site fetch(), "
        "even when it was set by visiting the API's "
        "site. CORS allows the request; the server just sees no cookie.",
        "For a cookie the cross-site page must send: `SameSite=None; Secure` (add `Partitioned` "
        "for use from this one site). Or serve the API and the page from the same site.",
        firefox=(
            f"Cookie “{_name(f)}” has been rejected because it is in a cross-site context and "
            "its “SameSite” is “Lax” or “Strict”."
            if reason != "default"
            else None
        ),
    )


def third_party_cookies_blocked(f: Finding) -> Explanation:
    return Explanation(
        f"Cookie `{_name(f)}` is blocked as a third-party cookie",
        f"{_engines(f)} {_verb(f, 'blocks', 'block')} cookies of a site other than the page's "
        f"by default (Safari: Intelligent Tracking Prevention), so the cookie `{_name(f)}` set "
        f"by {f.url} is neither stored nor sent from {f.page_origin}, whatever its "
        "attributes. Chrome blocks them too in Incognito or when the user turned third-party "
        "cookies off.",
        "Serve the API from the page's site (api.example.com for www.example.com), or send a "
        "token in Authorization instead of a cookie.",
    )


def cookie_partitioned(f: Finding) -> Explanation:
    attribute = _reason(f) == "attribute"
    how = (
        "has the Partitioned attribute"
        if attribute
        else "is a third-party cookie, which Firefox's Total Cookie Protection keeps per site"
    )
    return Explanation(
        f"Cookie `{_name(f)}` is partitioned",
        f"The cookie `{_name(f)}` {how}: {_engines(f)} {_verb(f, 'stores', 'store')} it for "
        f"pages of {f.page_origin}'s site only. Fetches from this site carry it; the API's own "
        "site and any other site do not see it.",
        "Nothing to fix for a cookie used from this site only; a cookie shared across sites "
        "needs the same site for page and API."
        if attribute
        else "Add `Partitioned` (`SameSite=None; Secure; Partitioned`): Firefox warns it will "
        "soon reject foreign cookies without it.",
        firefox=None
        if attribute
        else f"Cookie “{_name(f)}” will soon be rejected because it is foreign and does not have "
        "the “Partitioned“ attribute.",
    )


def cookie_ignored(f: Finding) -> Explanation:
    return Explanation(
        f"Cookie `{_name(f)}` is ignored: the fetch has no credentials",
        f"{f.url} sets the cookie `{_name(f)}`, but a cross-origin fetch() without "
        "`credentials: 'include'` ignores Set-Cookie: no browser stores it.",
        "Pass `credentials: 'include'` to fetch() and answer with "
        f"`Access-Control-Allow-Origin: {f.page_origin}` and "
        "`Access-Control-Allow-Credentials: true`.",
    )


def cookie_samesite_invalid(f: Finding) -> Explanation:
    taken = "Lax" if _reason(f) == "lax" else "None"
    return Explanation(
        f"Cookie `{_name(f)}` has an invalid SameSite value",
        f"The SameSite attribute of the cookie `{_name(f)}` is none of Strict, Lax, None, so "
        f"browsers read it as if absent: Chrome as `SameSite=Lax`, Firefox and Safari as "
        f"`SameSite=None`; this engine takes it for `{taken}`.",
        "Write `SameSite=None; Secure`, `SameSite=Lax` or `SameSite=Strict`.",
        firefox=f"Invalid “SameSite“ value for cookie “{_name(f)}”. The supported values are: "
        "“Lax“, “Strict“, “None“.",
    )
