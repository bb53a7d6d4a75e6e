"""What the server's answer says about why it failed: evidence in, a diagnosis out.

A failing status or a missing Access-Control-Allow-Origin has many causes; the fix depends on
which layer of the server answered. These rules read only what the server sent (status, headers,
the first bytes of the body) and name the layer, so that the words never guess:

- `cors-layer-refused`: the body names "Disallowed CORS origin/method/headers" (Starlette's
  CORSMiddleware, FastAPI's) -> that CORS middleware refused what it names; the fix is its
  allow-list. detail `refused`: the comma-joined parts it names (`origin`, `method`, `headers`).
- `origin-not-allowed`: a 2xx preflight answer with Access-Control-Allow-Methods or -Headers, or
  `Vary: Origin`, but no Access-Control-Allow-Origin -> OPTIONS is routed and a CORS layer read
  the origin, but it is not in its allow-list (a trailing slash, case, scheme or port differs,
  or it is missing).
- `auth-before-cors`: 401, or 403 with WWW-Authenticate -> authentication middleware answered
  before the CORS layer.
- `no-cors-answer`: a 2xx preflight answer with no Access-Control-* header at all -> either the
  origin is not in the allow-list of a CORS layer that then stays silent (django-cors-headers,
  flask-cors, Express's cors with an origin list), or no CORS layer handles the path (a
  framework's default OPTIONS handler); the answer cannot tell which.
- `options-not-routed`: 404, 405 or 501 with no Access-Control-* header -> no CORS layer saw the
  preflight.
- `server-error`: 5xx -> the server failed; the body often says why.

Every diagnosis also carries `body`, the first `EXCERPT_CHARS` characters of the body decoded
safely (control characters escaped), when the body is not content-encoded and not empty.
Sources: https://fetch.spec.whatwg.org/#cors-preflight-fetch (a preflight passes only with an ok
status and the CORS check), Starlette's starlette/middleware/cors.py (preflight_response: 400
"Disallowed CORS " + the failures), https://httpwg.org/specs/rfc9110.html#field.allow.
"""

from __future__ import annotations

import re

from cors_probe.model import DetailValue, WireResponse
from cors_probe.policy.grammar import vary_names

EXCERPT_CHARS = 200
"""How many characters of a response body a finding quotes."""

CORS_LAYER_REFUSED = "cors-layer-refused"
ORIGIN_NOT_ALLOWED = "origin-not-allowed"
AUTH_BEFORE_CORS = "auth-before-cors"
OPTIONS_NOT_ROUTED = "options-not-routed"
NO_CORS_ANSWER = "no-cors-answer"
SERVER_ERROR = "server-error"

_PART = r"(?:origin|method|headers)"
_DISALLOWED = re.compile(rf"Disallowed CORS ({_PART}(?:\s*,\s*{_PART})*)", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def excerpt(response: WireResponse, limit: int = EXCERPT_CHARS) -> str:
    """The start of the body as text: UTF-8 (invalid bytes replaced), whitespace runs as one
    space, control characters as `\\xNN`, at most `limit` characters with `…` when cut. Empty
    when there is no body or it is content-encoded (compressed bytes say nothing)."""
    encoding = (response.headers.get("Content-Encoding") or "identity").strip().lower()
    if not response.body or encoding != "identity":
        return ""
    text = " ".join(response.body.decode("utf-8", errors="replace").split())
    cut = len(text) > limit or response.body_truncated or response.body_bytes > len(response.body)
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text[:limit])
    return text + "…" if cut and text else text


def _has_cors_headers(response: WireResponse) -> bool:
    return any(name.lower().startswith("access-control-") for name in response.headers.names())


def _varies_on_origin(response: WireResponse) -> bool:
    """`Vary: Origin`: the answer was chosen by the request's Origin, so a CORS layer read it."""
    return "origin" in vary_names(response.headers)


def diagnose(response: WireResponse, *, preflight: bool) -> dict[str, DetailValue]:
    """Detail keys naming the layer that answered `response` (`diagnosis`, `refused`) and the
    body's start (`body`); empty when the evidence names no layer and there is no body.

    `preflight`: whether `response` answers a CORS preflight (the routed/not-routed rules read
    only preflights)."""
    facts: dict[str, DetailValue] = {}
    body = excerpt(response)
    status = response.status
    refused = _DISALLOWED.search(body)
    if refused is not None:
        parts = [p.strip().lower() for p in refused.group(1).split(",")]
        facts["diagnosis"] = CORS_LAYER_REFUSED
        facts["refused"] = ", ".join(parts)
    elif status == 401 or (status == 403 and "WWW-Authenticate" in response.headers):
        facts["diagnosis"] = AUTH_BEFORE_CORS
    elif status >= 500:
        facts["diagnosis"] = SERVER_ERROR
    elif (
        preflight and 200 <= status <= 299 and "Access-Control-Allow-Origin" not in response.headers
    ):
        if any(
            h in response.headers
            for h in ("Access-Control-Allow-Methods", "Access-Control-Allow-Headers")
        ) or _varies_on_origin(response):
            facts["diagnosis"] = ORIGIN_NOT_ALLOWED
        elif not _has_cors_headers(response):
            facts["diagnosis"] = NO_CORS_ANSWER
    elif preflight and status in (404, 405, 501) and not _has_cors_headers(response):
        facts["diagnosis"] = OPTIONS_NOT_ROUTED
    if body:
        facts["body"] = body
    return facts
