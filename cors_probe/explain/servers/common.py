"""What every writer shares: the headers a CorsNeed asks for, and the explanation's sentences.

Rules (https://fetch.spec.whatwg.org/#http-cors-protocol): Access-Control-Allow-Origin names the
request's origin (or `*` without credentials), Access-Control-Allow-Credentials is `true` for a
credentialed request, the preflight's Access-Control-Allow-Methods and -Headers list the method
and every non-safelisted header name (`*` counts only without credentials, never for
Authorization), and `Vary: Origin` goes on every answer that depends on Origin
(https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches).
"""

from __future__ import annotations

from cors_probe.model import CorsNeed

SAFELISTED_METHODS = ("GET", "HEAD", "POST")
"""https://fetch.spec.whatwg.org/#cors-safelisted-method: need no Access-Control-Allow-Methods."""


def origin_value(need: CorsNeed) -> str:
    """What Access-Control-Allow-Origin says for an allowed origin: `*` or `$origin` (the
    writer substitutes its own way of naming the matched origin)."""
    return "*" if need.wildcard else "$origin"


def response_headers(need: CorsNeed) -> tuple[tuple[str, str], ...]:
    """The headers every response (preflight and actual, error statuses too) carries."""
    pairs: list[tuple[str, str]] = [("Access-Control-Allow-Origin", _origin_text(need))]
    if need.credentials:
        pairs.append(("Access-Control-Allow-Credentials", "true"))
    if not need.wildcard:
        pairs.append(("Vary", "Origin"))
    return tuple(pairs)


def preflight_headers(need: CorsNeed) -> tuple[tuple[str, str], ...]:
    """The headers of the answer to the preflight: the response headers and the allowances."""
    pairs = list(response_headers(need))
    pairs.append(("Access-Control-Allow-Methods", ", ".join(need.methods)))
    if need.headers:
        pairs.append(("Access-Control-Allow-Headers", ", ".join(need.headers)))
    pairs.append(("Access-Control-Max-Age", str(need.max_age)))
    return tuple(pairs)


def _origin_text(need: CorsNeed) -> str:
    if need.wildcard:
        return "*"
    if len(need.origins) == 1:
        return need.origins[0]
    return "<the request's Origin, when it is one of: " + ", ".join(need.origins) + ">"


def explain(need: CorsNeed) -> str:
    """The sentences every snippet's explanation starts with: which origins, why (not) `*`,
    credentials, methods and headers, the max-age and what the preflight costs."""
    parts = []
    if need.wildcard:
        parts.append(
            "`*`: the data is public, the request carries no credentials and the server is "
            "not on a private network, so any page may read it."
        )
    else:
        parts.append(
            f"Allows exactly {', '.join(need.origins)} (compared as whole strings, never as a "
            "pattern) and sends `Vary: Origin`, since the answer depends on the Origin."
        )
    if need.credentials:
        parts.append(
            "The request sends credentials: Access-Control-Allow-Credentials: true, and the "
            "origin named, never `*`."
        )
    if need.preflight:
        names = f" and the headers {', '.join(need.headers)}" if need.headers else ""
        parts.append(
            f"The preflight (OPTIONS) must be answered 2xx before any authentication, allowing "
            f"the method {', '.join(need.methods)}{names}; Access-Control-Max-Age: "
            f"{need.max_age} lets browsers skip it for that many seconds (Chromium caps it at "
            "7200, Firefox at 86400)."
        )
        if need.preflight_ms is not None:
            parts.append(f"The preflight took {need.preflight_ms:.0f} ms here.")
    return " ".join(parts)
