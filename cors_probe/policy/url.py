"""URLs the way a browser's URL parser (WHATWG URL Standard) sees them, for http(s) and friends.

Browsers print URLs in console messages after parsing them, and compare origins after parsing:
`HTTP://Example.COM:80/a b` is `http://example.com/a%20b`. This module covers what CORS needs:
special schemes (http, https, ws, wss, ftp, file), host normalisation (lower case, IDNA, IPv4 in
its numeric forms, compressed IPv6), default ports, dot segments and the percent-encode sets of
paths and queries. Other schemes (`data:`, `mailto:`) are kept opaque: only their scheme matters.
The standard library's `encodings.idna` (IDNA 2003) stands in for UTS #46; it agrees for
ordinary names.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import unquote, urljoin, urlsplit

from cors_probe.model import Origin

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21}
SPECIAL_SCHEMES = frozenset({*DEFAULT_PORTS, "file"})
FORBIDDEN_HOST_CHARS = frozenset("\x00\t\n\r #/:<>?@[\\]^|%")
_C0_OR_SPACE = "".join(chr(i) for i in range(0x21))

# Percent-encode sets (URL Standard §1.3): C0 controls and everything above 0x7E, plus these.
_QUERY_EXTRA = frozenset(' "#<>')
_SPECIAL_QUERY_EXTRA = _QUERY_EXTRA | {"'"}
_PATH_EXTRA = _QUERY_EXTRA | frozenset("?^`{}")
_USERINFO_EXTRA = _PATH_EXTRA | frozenset("/:;=@[\\]|")


@dataclass(frozen=True, slots=True)
class Url:
    scheme: str
    host: str = ""
    """Serialised host; empty for opaque URLs."""
    port: int | None = None
    """None when absent or equal to the scheme's default."""
    path: str = ""
    query: str | None = None
    username: str = ""
    password: str = ""
    opaque: str | None = None
    """For non-special schemes: everything after `scheme:`, kept as given."""
    _text: str | None = field(default=None, init=False, repr=False, compare=False)
    """`serialise()`'s answer, once asked (a URL is asked dozens of times per check); no part
    of equality, hash or repr."""
    _origin: Origin | None = field(default=None, init=False, repr=False, compare=False)
    """`origin()`'s answer, once asked, likewise."""

    @property
    def has_credentials(self) -> bool:
        return bool(self.username or self.password)

    @property
    def is_http(self) -> bool:
        return self.scheme in ("http", "https")

    def origin(self) -> Origin:
        """The URL's origin; opaque for schemes without a tuple origin."""
        origin = self._origin
        if origin is None:
            if self.scheme not in DEFAULT_PORTS or self.scheme == "ftp":
                origin = Origin.null()
            else:
                origin = Origin(self.scheme, self.host, self.port)
            object.__setattr__(self, "_origin", origin)
        return origin

    def serialise(self) -> str:
        text = self._text
        if text is None:
            text = self._serialised()
            object.__setattr__(self, "_text", text)
        return text

    def _serialised(self) -> str:
        if self.opaque is not None:
            return f"{self.scheme}:{self.opaque}"
        userinfo = ""
        if self.has_credentials:
            userinfo = self.username + (f":{self.password}" if self.password else "") + "@"
        port = f":{self.port}" if self.port is not None else ""
        query = f"?{self.query}" if self.query is not None else ""
        return f"{self.scheme}://{userinfo}{self.host}{port}{self.path}{query}"


@dataclass(frozen=True, slots=True)
class UrlError:
    reason: str


def _percent_encode(text: str, extra: frozenset[str]) -> str:
    """`text` with C0 controls, DEL, every non-ASCII character (as its UTF-8 bytes) and `extra`
    percent-encoded (URL Standard, percent-encode sets); `text` itself when none occurs."""
    if text.isascii() and text.isprintable() and extra.isdisjoint(text):
        return text  # printable ASCII: 0x20-0x7E, nothing to encode but `extra`
    out: list[str] = []
    for char in text:
        if ord(char) < 0x20 or ord(char) > 0x7E or char in extra:
            out.extend(f"%{b:02X}" for b in char.encode("utf-8"))
        else:
            out.append(char)
    return "".join(out)


def _parse_ipv4_number(part: str) -> int | None:
    if not part:
        return None
    base = 10
    if part[:2] in ("0x", "0X"):
        part, base = part[2:], 16
    elif len(part) > 1 and part.startswith("0"):
        part, base = part[1:], 8
    if part == "":
        return 0
    try:
        return int(part, base)
    except ValueError:
        return None


def _parse_ipv4(host: str) -> str | UrlError | None:
    """The URL Standard's IPv4 parser; None when `host` does not end in a number."""
    parts = host.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()
    last = parts[-1]
    if not (
        last.isdigit()
        or (last[:2].lower() == "0x" and all(c in "0123456789abcdefABCDEF" for c in last[2:]))
    ):
        return None
    if len(parts) > 4:
        return UrlError(f"invalid IPv4 address {host!r}")
    numbers = [_parse_ipv4_number(p) for p in parts]
    if any(n is None for n in numbers):
        return UrlError(f"invalid IPv4 address {host!r}")
    values = [n for n in numbers if n is not None]
    if any(n > 255 for n in values[:-1]) or values[-1] >= 256 ** (5 - len(values)):
        return UrlError(f"invalid IPv4 address {host!r}")
    address = values[-1]
    for index, number in enumerate(values[:-1]):
        address += number * 256 ** (3 - index)
    return str(ipaddress.IPv4Address(address))


HOSTS_KEPT = 1024
"""How many hosts `_parse_host` remembers: a run's thousands of URLs name a few hosts."""


@lru_cache(maxsize=HOSTS_KEPT)
def _parse_host(raw: str) -> str | UrlError:
    """The serialised host of a URL's raw host (percent-decoded, IDNA, lower case, IPv4 and
    IPv6 normalised), or why it is not one (URL Standard, host parsing)."""
    if raw.startswith("["):
        if not raw.endswith("]"):
            return UrlError(f"invalid IPv6 address {raw!r}")
        try:
            return f"[{ipaddress.IPv6Address(raw[1:-1]).compressed}]"
        except ValueError:
            return UrlError(f"invalid IPv6 address {raw!r}")
    try:
        host = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        return UrlError(f"invalid host name {raw!r}: its percent-escapes are not UTF-8")
    if not host:
        return UrlError("the URL has no host")
    try:
        ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return UrlError(f"invalid host name {raw!r}")
    ascii_host = ascii_host.lower()
    if any(c in FORBIDDEN_HOST_CHARS or ord(c) < 0x20 or ord(c) == 0x7F for c in ascii_host):
        return UrlError(f"invalid host name {raw!r}")
    ipv4 = _parse_ipv4(ascii_host)
    if ipv4 is not None:
        return ipv4
    return ascii_host


def _normalise_path(path: str) -> str:
    """A special URL's path: backslashes as slashes, dot segments (`.`, `..`, `%2e`) resolved,
    each segment percent-encoded (URL Standard, path state)."""
    if not path:
        return "/"
    path = path.replace("\\", "/")
    if "." not in path and "%" not in path:  # no dot segment can occur: every segment stays
        return "/" + _percent_encode(path.partition("/")[2], _PATH_EXTRA)
    return _resolved_path(path)


def _resolved_path(path: str) -> str:
    """`_normalise_path` of a non-empty path with slashes only, segment by segment."""
    segments = path.split("/")
    out: list[str] = []
    for index, segment in enumerate(segments[1:], start=1):
        last = index == len(segments) - 1
        lowered = segment.lower()
        if lowered in ("..", ".%2e", "%2e.", "%2e%2e"):
            if out:
                out.pop()
            if last:
                out.append("")
        elif lowered in (".", "%2e"):
            if last:
                out.append("")
        else:
            out.append(segment)
    return "/" + "/".join(_percent_encode(s, _PATH_EXTRA) for s in out)


URLS_KEPT = 512
"""How many parses `parse_url` remembers: each engine's conversation of a check parses its URL
again, and a run has many checks in flight (`functools.lru_cache`; Url and UrlError are frozen)."""


@lru_cache(maxsize=URLS_KEPT)
def parse_url(text: str, base: Url | None = None) -> Url | UrlError:
    """Parse `text` (absolute, or relative to `base`) and normalise it as a browser would.

    Never raises: every URL the URL Standard calls a failure is a UrlError with a reason.
    """
    try:
        return _parse_url(text, base)
    except ValueError as error:  # the standard library's own refusals (urlsplit, int, idna)
        reason = str(error)
        if reason == "Invalid IPv6 URL":
            return UrlError("invalid IPv6 address: a '[' or ']' without its partner")
        if "IPv6 address" in reason:
            return UrlError(f"invalid IPv6 address ({reason})")
        return UrlError(f"the URL does not parse ({reason})")


def _parse_url(text: str, base: Url | None) -> Url | UrlError:
    text = text.strip(_C0_OR_SPACE).replace("\t", "").replace("\n", "").replace("\r", "")
    if base is not None:
        text = urljoin(base.serialise(), text)
    scheme, sep, rest = text.partition(":")
    if (
        not sep
        or not scheme
        or not scheme[0].isalpha()
        or not (scheme.isalnum() or all(c.isalnum() or c in "+-." for c in scheme))
    ):
        return UrlError("the URL has no scheme (it must start with http:// or https://)")
    scheme = scheme.lower()
    if scheme not in SPECIAL_SCHEMES:
        return Url(scheme=scheme, opaque=rest)
    rest = rest.replace("\\", "/")
    if not rest.startswith("//"):
        rest = "//" + rest.lstrip("/")
    parts = urlsplit(f"{scheme}:{rest}")
    netloc = parts.netloc
    userinfo, at, hostport = netloc.rpartition("@")
    if not at:
        userinfo, hostport = "", netloc
    username, _, password = userinfo.partition(":")
    if hostport.startswith("["):
        close = hostport.find("]")
        if close < 0:
            return UrlError("invalid IPv6 address: a '[' or ']' without its partner")
        raw_host, port_text = hostport[: close + 1], hostport[close + 1 :].removeprefix(":")
    else:
        raw_host, _, port_text = hostport.partition(":")
    if scheme == "file":
        return Url(scheme="file", host=raw_host.lower(), path=_normalise_path(parts.path))
    host = _parse_host(raw_host)
    if isinstance(host, UrlError):
        return host
    port: int | None = None
    if port_text:
        if not (port_text.isascii() and port_text.isdigit()) or int(port_text) > 65535:
            return UrlError(f"invalid port {port_text!r}")
        port = int(port_text)
        if port == DEFAULT_PORTS.get(scheme):
            port = None
    query = None
    if "?" in rest.partition("#")[0]:
        query = _percent_encode(parts.query, _SPECIAL_QUERY_EXTRA)
    return Url(
        scheme=scheme,
        host=host,
        port=port,
        path=_normalise_path(parts.path),
        query=query,
        username=_percent_encode(username, _USERINFO_EXTRA),
        password=_percent_encode(password, _USERINFO_EXTRA),
    )
