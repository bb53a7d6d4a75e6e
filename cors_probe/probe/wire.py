"""What cors-probe's own HTTP client adds to a request on the wire, as plain data.

The probe sends through httpx, which puts Host, Connection and (unless the request has its own)
User-Agent before the request's headers and Content-Length after them. `simulate` reports the
same request a live check would send, so it needs the same additions without httpx; tests/probe
keeps the two in step.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from cors_probe import __version__
from cors_probe.model import Headers, WireRequest

USER_AGENT = f"cors-probe/{__version__}"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def on_the_wire(request: WireRequest) -> Headers:
    """The request's headers as the probe's client sends them over HTTP/1.1."""
    netloc = urlsplit(request.url).netloc.rpartition("@")[2]
    pairs = [("Host", netloc)]
    if not request.body and request.method.upper() in BODY_METHODS:
        pairs.append(("Content-Length", "0"))  # httpx announces the empty body up front
    pairs.append(("Connection", "keep-alive"))
    if "User-Agent" not in request.headers:  # the client's default gives way to the request's
        pairs.append(("User-Agent", USER_AGENT))
    pairs += request.headers
    if request.body:
        pairs.append(("Content-Length", str(len(request.body))))
    return Headers(tuple(pairs))
