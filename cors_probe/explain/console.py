"""Every console line each engine prints for a blocking finding, in order.

The first line of each engine is the catalogue's (`Explanation.chrome`, `.firefox`, `.safari`);
what follows it is what the engine prints next for the same failed fetch, measured by the
browser referee (tests/browser) in Chromium 156, Firefox 153 ESR and WebKitGTK 2.50:

- Firefox: a failure before the final response (any preflight failure, a redirect's CORS check,
  a refused redirect) ends with a second line for the fetch's first URL, `(Reason: CORS request
  did not succeed). Status code: (null).`; a redirected preflight also gets `CORS preflight
  response did not succeed` with its status in between (nsCORSListenerProxy.cpp,
  LogBlockedCORSRequest; scenarios acao-preflight-*, preflight-redirect-*, redirect-loop).
"""

from __future__ import annotations

from cors_probe.codes import FindingCode as C
from cors_probe.explain.catalogue import FIREFOX_BLOCKED, Explanation
from cors_probe.explain.modes import mode_lines
from cors_probe.model import Finding, Severity, Stage

REDIRECT_REFUSALS = frozenset({C.REDIRECT_SCHEME, C.REDIRECT_USERINFO, C.TOO_MANY_REDIRECTS})
"""Redirects the engine refuses to follow: the fetch fails as a network error."""


def _before_final(finding: Finding) -> bool:
    """Whether the fetch failed before any final response: during a preflight, on a redirect's
    CORS check, or refusing a redirect."""
    if finding.stage is Stage.PREFLIGHT or finding.code in REDIRECT_REFUSALS:
        return True
    # the CORS check of a redirect, unless the redirect mode made it the final response
    return "location" in finding.detail and "redirect_mode" not in finding.detail


def _firefox(finding: Finding, first: str | None) -> tuple[str, ...]:
    if finding.code is C.LOCAL_NETWORK_DENIED:
        return _firefox_lna_denied(finding, first)
    lines = [first] if first else []
    if finding.code is C.REDIRECT_SCHEME and finding.detail.get("scheme") == "data":
        location = finding.detail.get("location", "")
        lines = [f"Redirecting to data: URI not allowed (Blocked loading of: “{location}”)"]
    if not _before_final(finding):
        return tuple(lines)
    failed = (
        f"{FIREFOX_BLOCKED}{finding.url}. (Reason: CORS request did not succeed). "
        "Status code: (null)."
    )
    if finding.stage is Stage.PREFLIGHT and _is_redirect(finding.status):
        if finding.code is C.PREFLIGHT_REDIRECT:
            lines.append(
                f"{FIREFOX_BLOCKED}{finding.url}. (Reason: CORS preflight response did not "
                f"succeed). Status code: {finding.status}."
            )
        else:
            lines.append(failed)
    lines.append(failed)
    return tuple(lines)


def _firefox_lna_denied(finding: Finding, first: str | None) -> tuple[str, ...]:
    """Firefox 153 ESR denying Local Network Access (measured, tests/browser/test_gates.py): its
    `Local Network Access detected` line and `CORS request did not succeed` (the two come from
    two processes, in either order); a request that would be preflighted gets no LNA line but
    the CORS line twice, as a failed preflight does."""
    failed = (
        f"{FIREFOX_BLOCKED}{finding.url}. (Reason: CORS request did not succeed). "
        "Status code: (null)."
    )
    return (first, failed) if first else (failed, failed)


REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


def _is_redirect(status: int | None) -> bool:
    return status in REDIRECT_STATUSES


def _without_userinfo(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    authority, slash, path = rest.partition("/")
    return f"{scheme}{sep}{authority.rpartition('@')[2]}{slash}{path}" if sep else url


def _safari_reason(finding: Finding, first: str | None) -> str | None:
    """WebKit's reason line, before `Fetch API cannot load ...`."""
    code, detail = finding.code, finding.detail
    location = str(detail.get("location", ""))
    if code is C.TOO_MANY_REDIRECTS:
        return "Load cannot follow more than 20 redirections"
    if code is C.REDIRECT_SCHEME and detail.get("scheme") == "ftp":
        return "FTP URLs are disabled"
    if code is C.HEADER_NOT_ALLOWED:
        name = detail.get("written", detail.get("name", ""))
        return f"Request header field {name} is not allowed by Access-Control-Allow-Headers."
    if first is not None and finding.code in ORIGIN_CODES and finding.stage is not Stage.REQUEST:
        origin = str(detail.get("request_origin", finding.page_origin))
        first = first.replace(f"Origin {finding.page_origin} is", f"Origin {origin} is", 1)
    if first is None:
        return None
    redirected = code in (C.REDIRECT_SCHEME, C.REDIRECT_USERINFO) or (
        finding.stage is Stage.ACTUAL and bool(location)
    )
    if redirected:
        return (
            f"Cross-origin redirection to {_without_userinfo(location)} denied by Cross-Origin "
            f"Resource Sharing policy: {first}"
        )
    return first


ORIGIN_CODES = frozenset({C.ACAO_MISSING, C.ACAO_MISMATCH, C.ACAO_INVALID})
"""The findings WebKit tells as `Origin X is not allowed by Access-Control-Allow-Origin`."""


def _safari_mixed_content(finding: Finding, first: str | None) -> tuple[str, ...]:
    """WebKit's lines for mixed content (measured, tests/browser/test_gates.py): its own line,
    `Not allowed to request resource` when the fetch's first URL is the one refused, then
    `Fetch API cannot load` naming the fetch's first URL."""
    if first is None:
        return ()
    if finding.first_url:
        return (first, f"Fetch API cannot load {finding.first_url} due to access control checks.")
    return (
        first,
        "Not allowed to request resource",
        f"Fetch API cannot load {finding.url} due to access control checks.",
    )


def _safari(finding: Finding, first: str | None) -> tuple[str, ...]:
    if finding.code is C.MIXED_CONTENT:
        return _safari_mixed_content(finding, first)
    reason = _safari_reason(finding, first)
    if reason is None:
        return ()
    return (reason, f"Fetch API cannot load {finding.url} due to access control checks.")


def _chrome(first: str | None) -> tuple[str, ...]:
    if first is None:
        return ()
    if first.startswith("Access to fetch at "):
        return (first, "Failed to load resource: net::ERR_FAILED")
    return (first,)


def console_lines(finding: Finding, words: Explanation) -> dict[str, tuple[str, ...]]:
    """{engine key: the lines it prints, in order} for `finding`; () where it prints nothing.
    Only a blocking finding (severity error) prints anything."""
    own = mode_lines(finding)
    if own is not None:
        return own
    if finding.severity is not Severity.ERROR or finding.code is C.UNREACHABLE:
        return {
            "chrome": (words.chrome,) if words.chrome else (),
            "firefox": (words.firefox,) if words.firefox else (),
            "safari": (words.safari,) if words.safari else (),
        }
    return {
        "chrome": _chrome(words.chrome),
        "firefox": _firefox(finding, words.firefox),
        "safari": _safari(finding, words.safari),
    }
