"""The header fixes a finding's words offer, as values: which header to send, with which value,
on which response (the preflight's or the actual request's, at which URL).

A fix is offered only when the server sending it would make the browser pass the step that
failed; `tests/cli/test_fixes_verified.py` proves that for every code in `FIXERS` by running
`cors-probe check --assume-header` with each fix against a real server. Facts used:

- After a redirect to another origin from an origin that is not the page's, the request's origin
  is `null` (https://fetch.spec.whatwg.org/#concept-request-tainted-origin): the page's origin in
  Access-Control-Allow-Origin can no longer match. Without credentials `*` does; with
  credentials only `null` would, and allowing `null` with credentials lets any sandboxed page
  read the answer, so no header fix is offered (`no_fix_reason`): avoid the redirect.
- With credentials, Access-Control-Allow-Origin must name the origin (not `*`) and
  Access-Control-Allow-Credentials must be `true` (https://fetch.spec.whatwg.org/#concept-cors-check).
- A preflight passes only when Access-Control-Allow-Methods lists the method and
  Access-Control-Allow-Headers every requested name
  (https://fetch.spec.whatwg.org/#cors-preflight-fetch); the finding names only the first
  header that fails, so the fix lists every requested name (detail `request_headers`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cors_probe.codes import FindingCode as C
from cors_probe.model import Finding, Severity, Stage

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"
MAX_AGE = "Access-Control-Max-Age"
MAX_AGE_FIX = "7200"
"""Chromium's cap, in seconds: the longest every engine's cache honours at least in part."""


@dataclass(frozen=True, slots=True)
class HeaderFix:
    """Send header `name` with `value` on the response to the `stage` request at `url`."""

    stage: Stage
    """Stage.PREFLIGHT (the OPTIONS response) or Stage.ACTUAL (the response to the request)."""
    url: str
    name: str
    value: str

    def assumption(self) -> str:
        """The fix as an `--assume-header` argument targeting exactly that response."""
        return f"[{self.stage.value} {self.url}] {self.name}: {self.value}"

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"


def _credentialed(f: Finding) -> bool:
    return f.detail.get("credentials") is True


def tainted(f: Finding) -> bool:
    """Whether the request's origin was `null` because of a cross-origin redirect."""
    return f.detail.get("request_origin") == "null" and f.page_origin != "null"


def allowed_origin(f: Finding) -> str | None:
    """The Access-Control-Allow-Origin value that lets this request through: the request's
    origin, `*` for a tainted uncredentialed one, None when no safe value exists."""
    if tainted(f):
        return None if _credentialed(f) else "*"
    return str(f.detail.get("request_origin", f.page_origin))


def no_fix_reason(f: Finding) -> str | None:
    """Why an origin failure has no header fix (a tainted, credentialed request), else None."""
    if tainted(f) and _credentialed(f):
        return (
            "No header can safely fix this: after the cross-origin redirect the request's origin "
            "is `null`, and with credentials only `Access-Control-Allow-Origin: null` would "
            "match, which lets any sandboxed page on any site read the answer with the user's "
            "cookies. Avoid the cross-origin redirect: call the final URL directly."
        )
    return None


def _fix(f: Finding, *pairs: tuple[str, str]) -> tuple[HeaderFix, ...]:
    stage = Stage.PREFLIGHT if f.stage is Stage.PREFLIGHT else Stage.ACTUAL
    return tuple(HeaderFix(stage, f.url, name, value) for name, value in pairs)


def origin_headers(f: Finding) -> tuple[HeaderFix, ...]:
    """Access-Control-Allow-Origin (and -Credentials: true for a credentialed request) as this
    request needs them, whatever else fails; () when no safe value exists (`no_fix_reason`)."""
    origin = allowed_origin(f)
    if origin is None:
        return ()
    credentials = ((ACAC, "true"),) if _credentialed(f) else ()
    return _fix(f, (ACAO, origin), *credentials)


def _origin_fix(f: Finding) -> tuple[HeaderFix, ...]:
    """`origin_headers`, unless the preflight's status is not ok: no header makes a 4xx/5xx
    preflight pass (https://fetch.spec.whatwg.org/#cors-preflight-fetch step 7), so its fix is
    the layer that answered (policy.diagnosis), not a header; nor when a layer in front of CORS
    refused the request (`refused_before_cors`: the CORS layer's headers never reach it)."""
    if f.stage is Stage.PREFLIGHT and f.status is not None and not 200 <= f.status <= 299:
        return ()
    if f.detail.get("refused_before_cors") is True:  # a Fetch Metadata policy's 403
        return ()
    return origin_headers(f)


def _methods(f: Finding) -> tuple[HeaderFix, ...]:
    method = f.detail.get("request_method", f.detail.get("method"))
    return _fix(f, (ACAM, str(method))) if method else ()


def _headers(f: Finding) -> tuple[HeaderFix, ...]:
    names = f.detail.get("request_headers") or f.detail.get("name")
    return _fix(f, (ACAH, str(names))) if names else ()


def _authorization(f: Finding) -> tuple[HeaderFix, ...]:
    return _fix(f, (ACAH, f"{f.value or '*'}, Authorization"))


def _vary(f: Finding) -> tuple[HeaderFix, ...]:
    return _fix(f, ("Vary", f"{f.value}, Origin" if f.value else "Origin"))


def _max_age(f: Finding) -> tuple[HeaderFix, ...]:
    return _fix(f, (MAX_AGE, MAX_AGE_FIX))


def _max_age_capped(f: Finding) -> tuple[HeaderFix, ...]:
    return _max_age(f) if f.severity is Severity.WARNING else ()


def _acac(f: Finding) -> tuple[HeaderFix, ...]:
    return _fix(f, (ACAC, "true"))


FIXERS: dict[C, Callable[[Finding], tuple[HeaderFix, ...]]] = {
    C.ACAO_MISSING: _origin_fix,
    C.ACAO_MISMATCH: _origin_fix,
    C.ACAO_MULTIPLE: _origin_fix,
    C.ACAO_INVALID: _origin_fix,
    C.WILDCARD_WITH_CREDENTIALS: _origin_fix,
    C.ERROR_STATUS_WITHOUT_CORS: _origin_fix,
    C.ACAC_NOT_TRUE: _acac,
    C.METHOD_NOT_ALLOWED: _methods,
    C.ACAM_UNPARSABLE: _methods,
    C.HEADER_NOT_ALLOWED: _headers,
    C.ACAH_UNPARSABLE: _headers,
    C.AUTHORIZATION_WILDCARD: _authorization,
    C.VARY_ORIGIN_MISSING: _vary,
    C.MAX_AGE_MISSING: _max_age,
    C.MAX_AGE_INVALID: _max_age,
    C.MAX_AGE_CAPPED: _max_age_capped,
}
"""Every finding code whose fix is a header to send, and how to build it from the finding."""


def header_fixes(f: Finding) -> tuple[HeaderFix, ...]:
    """The headers to send (on which response) that fix `f`; () when its fix is not a header
    (a status, a redirect, a script change) or no header can safely fix it (`no_fix_reason`)."""
    fixer = FIXERS.get(f.code)
    return fixer(f) if fixer is not None else ()


def as_text(fixes: tuple[HeaderFix, ...]) -> str:
    """`Name: value` and `Name: value` in backquotes, for the fix's words."""
    return " and ".join(f"`{fix}`" for fix in fixes)
