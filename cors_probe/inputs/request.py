"""The one request builder: what the user typed, turned into a RequestShape.

Every command (check, simulate, demo), the lab's simulator page and the policy file build their
requests here; every mistake becomes a UsageError, raised before any I/O, so bad input never
reaches the network (exit 2 at the CLI).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cors_probe.errors import UsageError
from cors_probe.model import Headers, Origin, RequestShape

THIRD_PARTY_ORIGIN = "https://third-party.example"
"""The page origin used without --origin: an unrelated site that no allow-list should contain."""


def parse_header(text: str) -> tuple[str, str]:
    """`Name: value` -> (name, value); UsageError for no colon, a name that is not a token, a CR,
    LF or NUL in the value (Fetch "header value"), or a character beyond Latin-1."""
    from cors_probe.policy.grammar import is_valid_header_name, is_valid_header_value

    name, colon, value = text.partition(":")
    if not colon:
        raise UsageError(f"header {text!r} has no colon: write it as 'Name: value'")
    name, value = name.strip(), value.strip(" \t")
    if not is_valid_header_name(name):
        raise UsageError(f"{name!r} is not a valid header name")
    if not is_valid_header_value(value):
        raise UsageError(f"the value of header {name!r} holds a control character (CR, LF or NUL)")
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        raise UsageError(
            f"the value of header {name!r} holds characters a browser cannot send (not Latin-1)"
        ) from None
    return name, value


@dataclass(frozen=True, slots=True)
class RequestOptions:
    """The request options every command shares, as the user typed them."""

    url: str
    origin: str | None = None
    """None: probe as an unrelated third-party site (THIRD_PARTY_ORIGIN)."""
    method: str = "GET"
    headers: Sequence[str] = ()
    """`Name: value` strings, in order."""
    credentials: bool = False
    data: str | None = None
    """The body; `@FILE` reads a file's bytes when `read_files` is true."""
    cookie: str | None = None
    read_files: bool = True
    """False where `@FILE` must stay literal text (the lab page must not read the lab's disk)."""


def build(options: RequestOptions) -> RequestShape:
    """Validate the user's request options and turn them into what the page's script asks for.

    Raises UsageError for a URL that is not http(s) or does not parse (WHATWG URL Standard), a bad
    origin, a method that is not a token (fetch() throws), a malformed header, an unreadable @FILE.
    """
    url, origin, method = options.url, options.origin, options.method
    from cors_probe.policy.grammar import is_token
    from cors_probe.policy.origin import parse_origin
    from cors_probe.policy.url import UrlError, parse_url

    parsed = parse_url(url)
    if isinstance(parsed, UrlError):
        raise UsageError(f"bad URL {url!r}: {parsed.reason}")
    if not parsed.is_http:
        if parsed.opaque is not None and not parsed.opaque.startswith("//"):
            raise UsageError(f"bad URL {url!r}: it must start with http:// or https://")
        raise UsageError(
            f"bad URL {url!r}: {parsed.scheme}:// is not supported; browsers only make CORS "
            "requests to http:// and https:// URLs"
        )
    page: Origin
    if origin is None:
        origin_given = False
        page = Origin("https", THIRD_PARTY_ORIGIN.removeprefix("https://"))
    else:
        origin_given = True
        result = parse_origin(origin)
        if isinstance(result, UrlError):
            raise UsageError(f"bad origin {origin!r}: {result.reason}")
        page = result
    if not is_token(method):
        raise UsageError(f"{method!r} is not a valid HTTP method (fetch() would throw)")
    return RequestShape(
        url=parsed.serialise(),
        origin=page,
        method=method,
        headers=Headers(tuple(parse_header(h) for h in options.headers)),
        credentials=options.credentials,
        body=read_body(options.data) if options.read_files else _text(options.data),
        cookie=options.cookie,
        origin_given=origin_given,
    )


def _text(data: str | None) -> bytes | None:
    return data.encode("utf-8") if data else None


def read_body(data: str | None) -> bytes | None:
    """`--data TEXT`, or `--data @FILE` for a file's bytes, as curl reads it."""
    if data is None:
        return None
    if not data.startswith("@"):
        return data.encode("utf-8")
    path = data[1:]
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise UsageError(f"--data {data!r}: {exc.strerror or exc}") from exc
