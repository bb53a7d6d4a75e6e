"""Origins: parsing what the user gives, same-origin tests, the opaque origin `null`.

Facts (https://html.spec.whatwg.org/multipage/browsers.html#origin,
https://fetch.spec.whatwg.org/#origin-header): an origin is (scheme, host,
port); it serialises as `scheme://host[:port]` with the default port left out and no path; an
opaque origin (sandboxed iframe, `data:` and, in Chromium, `file:` pages, or a request tainted by a
cross-origin redirect) serialises as `null`. Two opaque origins are never the same origin.
"""

from __future__ import annotations

from cors_probe.model import Origin
from cors_probe.policy.url import UrlError, parse_url


def parse_origin(text: str) -> Origin | UrlError:
    """Parse an origin as a user writes it: `https://app.example.com[:port]`, or `null`.

    A lone trailing slash is tolerated (people paste it from the address bar); any other path,
    a query, a fragment or user info is an error, because a browser's origin never has one.
    """
    if text.strip() == "null":
        return Origin.null()
    url = parse_url(text)
    if isinstance(url, UrlError):
        return url
    if url.scheme not in ("http", "https"):
        return UrlError(f"an origin must be http:// or https://, not {url.scheme}:")
    if url.has_credentials:
        return UrlError("an origin has no user name or password")
    stripped = text.strip()
    if url.path != "/" or url.query is not None or "#" in stripped:
        return UrlError("an origin is scheme://host[:port] with no path, query or fragment")
    return url.origin()


def same_origin(a: Origin, b: Origin) -> bool:
    """HTML's "same origin": equal tuples; an opaque origin is never the same as another here."""
    if a.opaque or b.opaque:
        return False
    return (a.scheme, a.host, a.port) == (b.scheme, b.host, b.port)
