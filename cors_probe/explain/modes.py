"""Each engine's console lines for the request-mode, redirect-mode and
Cross-Origin-Resource-Policy findings, as measured by the browser referee's `modes` scenarios in
Chromium 156, Firefox 153 ESR and WebKitGTK 2.50.

None of them is a CORS message, and they differ the most between engines:
- A fetch() that throws or rejects without printing anything (Firefox for a no-cors redirect
  mode or `redirect: 'error'`; every engine for a no-cors method, thrown by the Request
  constructor) is told by the error the script's promise rejects with, which the console shows
  as an uncaught rejection (Firefox dom/fetch/Request.cpp, WebKit
  Source/WebCore/Modules/fetch/FetchRequest.cpp, Blink request.cc).
- Cross-Origin-Resource-Policy: Chromium logs the network error only
  (`net::ERR_BLOCKED_BY_RESPONSE.NotSameOrigin` / `NotSameSite`,
  services/network/public/cpp/cross_origin_resource_policy.cc), Firefox its CORP message
  (dom/locales netError, nsHttpChannel ProcessCrossOriginResourcePolicyHeader), WebKit
  "Cancelled load ..." then its access-control line
  (Source/WebCore/loader/CrossOriginAccessControl.cpp).
- A same-origin-mode refusal after a redirect has not been measured (the referee's page and API
  are different origins): it is told as for the first URL, with the redirect's target.
"""

from __future__ import annotations

from cors_probe.codes import FindingCode as C
from cors_probe.model import Finding

NETWORK_ERROR = "TypeError: NetworkError when attempting to fetch resource."
"""Firefox's rejection of a fetch() that failed without a console message of its own."""
CORP_FIREFOX = (
    "The resource at “{url}” was blocked due to its Cross-Origin-Resource-Policy header (or "
    "lack thereof). See https://developer.mozilla.org/docs/Web/HTTP/Cross-Origin_Resource_Policy_(CORP)#"
)


def _webkit_denied(url: str) -> str:
    return f"Fetch API cannot load {url} due to access control checks."


def mode_lines(finding: Finding) -> dict[str, tuple[str, ...]] | None:
    """{engine key: its console lines} for a mode, redirect-mode or CORP block; None for every
    other finding (the CORS catalogue's rules apply), () for the notes that print nothing."""
    code, url, detail = finding.code, finding.url, finding.detail
    if code in (C.OPAQUE_RESPONSE, C.OPAQUE_REDIRECT, C.NO_CORS_HEADER_DROPPED):
        return {"chrome": (), "firefox": (), "safari": ()}
    if code is C.NO_CORS_METHOD:
        method = str(detail.get("method", ""))
        return {
            "chrome": (
                f"TypeError: Failed to execute 'fetch' on 'Window': '{method}' is unsupported in "
                "no-cors mode.",
            ),
            "firefox": (f"TypeError: Window.fetch: Invalid request method {method}.",),
            "safari": ("TypeError: Method must be GET, POST or HEAD in no-cors mode.",),
        }
    if code is C.NO_CORS_REDIRECT_MODE:
        return {
            "chrome": (
                f'Fetch API cannot load {url}. Request mode is "no-cors" but the redirect mode is '
                'not "follow".',
            ),
            "firefox": (NETWORK_ERROR,),
            "safari": (
                "No-Cors mode requires follow redirect mode",
                "Not allowed to request resource",
                _webkit_denied(url),
            ),
        }
    if code is C.SAME_ORIGIN_MODE:
        target = str(detail.get("location", url))
        page = finding.page_origin
        return {
            "chrome": (
                f'Fetch API cannot load {target}. Request mode is "same-origin" but the URL\'s '
                f"origin is not same as the request origin {page}.",
            ),
            "firefox": (f"Security Error: Content at {page}/ may not load data from {target}.",),
            "safari": (f"Fetch API cannot load {target}.",),
        }
    if code is C.CORP_BLOCKED:
        reason = "NotSameOrigin" if detail.get("policy") == "same-origin" else "NotSameSite"
        return {
            "chrome": (f"Failed to load resource: net::ERR_BLOCKED_BY_RESPONSE.{reason}",),
            "firefox": (CORP_FIREFOX.format(url=url),),
            "safari": (
                f"Cancelled load to {url} because it violates the resource's "
                "Cross-Origin-Resource-Policy response header.",
                _webkit_denied(url),
            ),
        }
    if code is C.REDIRECT_MODE_ERROR:
        return {
            "chrome": ("Failed to load resource: net::ERR_FAILED",),
            "firefox": (NETWORK_ERROR,),
            "safari": (
                f"Not allowed to follow a redirection while loading {url}",
                _webkit_denied(url),
            ),
        }
    return None
