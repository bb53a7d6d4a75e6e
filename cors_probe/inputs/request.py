"""The one request builder: what the user typed, turned into a RequestShape.

Every command (check, simulate, demo), the lab's simulator page and the policy file build their
requests here; every mistake becomes a UsageError, raised before any I/O, so bad input never
reaches the network (exit 2 at the CLI).
"""

from __future__ import annotations

import math
import os
import select
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cors_probe.errors import UsageError
from cors_probe.model import (
    AddressSpace,
    Headers,
    LocalNetworkPermission,
    Origin,
    RedirectMode,
    RequestMode,
    RequestShape,
)

THIRD_PARTY_ORIGIN = "https://third-party.example"
"""The page origin used without --origin: an unrelated site that no allow-list should contain."""

MAX_URL_LENGTH = 65_536
"""The longest URL or origin accepted (servers refuse far shorter ones: 8 KiB is common)."""
MAX_TIMEOUT = 3600.0
"""The longest time-out, in seconds, for one response."""
MAX_BODY = 10 * 1024 * 1024
"""The largest `--data @FILE` body read (10 MiB); a bigger file or an endless stream is refused."""
BODY_WAIT = 5.0
"""Seconds to wait for the first bytes (and for each next ones) of `--data @FILE` from a pipe."""
PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")


def check_length(text: str, what: str) -> None:
    """UsageError for a URL (or an origin) longer than MAX_URL_LENGTH; the text is not quoted."""
    if len(text) > MAX_URL_LENGTH:
        raise UsageError(
            f"the {what} is {len(text):,} characters long; the limit is {MAX_URL_LENGTH:,}"
        )


def check_timeout(value: float, minimum: float = 0.0, what: str = "timeout") -> float:
    """`value` if it is a finite number of seconds above `minimum` (at least it, when given) and
    at most MAX_TIMEOUT; else UsageError."""
    low_ok = value >= minimum if minimum else value > 0
    if not (math.isfinite(value) and low_ok and value <= MAX_TIMEOUT):
        low = f"from {minimum:g}" if minimum else "more than 0"
        raise UsageError(
            f"{what} must be a number of seconds {low} up to {MAX_TIMEOUT:g}, not {value!r}"
        )
    return float(value)


def check_proxy(url: str) -> str:
    """`url` if it names a proxy httpx can use (http, https, socks5, socks5h); else UsageError."""
    from cors_probe.policy.url import UrlError, parse_url

    check_length(url, "proxy URL")
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in PROXY_SCHEMES:
        raise UsageError(
            f"bad proxy {url!r}: write it as SCHEME://HOST:PORT with SCHEME one of "
            + ", ".join(PROXY_SCHEMES)
        )
    parsed = parse_url(f"http://{rest}")
    if isinstance(parsed, UrlError):
        raise UsageError(f"bad proxy {url!r}: {parsed.reason}")
    return url


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
    body: bytes | None = None
    """A body already read (a capture's bytes, inputs/capture.py); when set, `data` is unused."""
    read_files: bool = True
    """False where `@FILE` must stay literal text (the lab page must not read the lab's disk)."""
    user_agent: str | None = None
    """`--user-agent`: sent instead of the engine's own User-Agent."""
    mode: RequestMode = RequestMode.CORS
    """`--mode`: fetch()'s `mode`."""
    redirect: RedirectMode = RedirectMode.FOLLOW
    """`--redirect`: fetch()'s `redirect`."""
    page_address_space: AddressSpace | None = None
    """`--page-address-space`; None: classified from the origin."""
    local_network: LocalNetworkPermission | None = None
    """`--local-network`; None: not said (the user will be asked)."""
    resolve: Callable[[str], str | None] | None = None
    """Host name -> address, to classify a page origin's name (None: a name is taken to be
    public, and said to be assumed)."""


def build(options: RequestOptions) -> RequestShape:
    """Validate the user's request options and turn them into what the page's script asks for.

    Raises UsageError for a URL that is not http(s) or does not parse (WHATWG URL Standard), a bad
    origin, a method that is not a token (fetch() throws), a malformed header, an unreadable @FILE.
    """
    url, origin, method = options.url, options.origin, options.method
    from cors_probe.policy.grammar import is_token
    from cors_probe.policy.origin import parse_origin
    from cors_probe.policy.url import UrlError, parse_url

    check_length(url, "URL")
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
        check_length(origin, "origin")
        result = parse_origin(origin)
        if isinstance(result, UrlError):
            raise UsageError(f"bad origin {origin!r}: {result.reason}")
        page = result
    if not is_token(method):
        raise UsageError(f"{method!r} is not a valid HTTP method (fetch() would throw)")
    space, assumed = _page_space(page, origin_given, options)
    return RequestShape(
        url=parsed.serialise(),
        origin=page,
        method=method,
        headers=Headers(tuple(parse_header(h) for h in options.headers)),
        credentials=options.credentials,
        user_agent=options.user_agent,
        body=_body(options),
        cookie=options.cookie,
        origin_given=origin_given,
        mode=options.mode,
        redirect=options.redirect,
        page_address_space=space,
        page_address_space_assumed=assumed,
        local_network=options.local_network,
    )


def _page_space(
    page: Origin, origin_given: bool, options: RequestOptions
) -> tuple[AddressSpace | None, bool]:
    """The page's address space: `--page-address-space`, else from the origin (gates.page_space),
    its host name resolved with `options.resolve`; cors-probe's own third-party origin is public."""
    from cors_probe.policy.gates import host_space, page_space

    if options.page_address_space is None and not origin_given:
        return AddressSpace.PUBLIC, False
    address = None
    explicit = options.page_address_space
    if explicit is None and not page.opaque and host_space(page.host) is None:
        address = options.resolve(page.host) if options.resolve is not None else None
    return page_space(page, explicit, address)


def _body(options: RequestOptions) -> bytes | None:
    """The captured body, else `data` as text or (`read_files`) `@FILE`'s bytes."""
    if options.body is not None:
        return options.body
    return read_body(options.data) if options.read_files else _text(options.data)


def _text(data: str | None) -> bytes | None:
    return data.encode("utf-8") if data else None


def read_body(data: str | None) -> bytes | None:
    """`--data TEXT`, or `--data @FILE` for a file's bytes, as curl reads it (see `read_file`)."""
    if data is None:
        return None
    if not data.startswith("@"):
        return data.encode("utf-8")
    return read_file(data[1:], f"--data {data!r}")


def read_file(path: str, label: str, limit: int = MAX_BODY) -> bytes:
    """A file the user named, as bytes: at most `limit` bytes are read (an endless stream such as
    /dev/zero is refused), and a pipe gets BODY_WAIT seconds for each read (a FIFO with no writer
    is refused, not waited on forever). UsageError, starting with `label`, for each failure."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except (OSError, ValueError) as exc:
        raise UsageError(f"{label}: {_reason(exc)}") from None
    try:
        return _read_capped(descriptor, label, limit)
    finally:
        os.close(descriptor)


def read_stream(descriptor: int, label: str, limit: int) -> bytes:
    """An open stream's bytes (standard input for `-`), read as `read_file` reads a file: at
    most `limit` bytes, and BODY_WAIT seconds for each read of a pipe (an idle one is refused,
    not waited on forever). UsageError, starting with `label`, for each failure. The descriptor
    stays open."""
    return _read_capped(descriptor, label, limit)


def _reason(exc: Exception) -> str:
    return (exc.strerror if isinstance(exc, OSError) else None) or str(exc)


def _read_capped(descriptor: int, label: str, limit: int) -> bytes:
    try:
        regular = stat.S_ISREG(os.fstat(descriptor).st_mode)
        chunks: list[bytes] = []
        size = 0
        while True:
            if not regular:
                ready, _, _ = select.select([descriptor], [], [], BODY_WAIT)
                if not ready:
                    raise UsageError(
                        f"{label}: nothing to read after {BODY_WAIT:g} s (a pipe with no writer?)"
                    )
            try:
                chunk = os.read(descriptor, 64 * 1024)
            except BlockingIOError:
                continue
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > limit:
                raise UsageError(
                    f"{label}: the file is larger than {limit // (1024 * 1024)} MiB (the limit)"
                )
            chunks.append(chunk)
    except OSError as exc:
        raise UsageError(f"{label}: {_reason(exc)}") from None
