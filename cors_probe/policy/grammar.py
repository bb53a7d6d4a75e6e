"""Tokens, field values, comma lists and MIME types, as Fetch and RFC 9110 define them.

No CORS knowledge lives here: this is the grammar the rule modules are written in, so that
`preflight.py` and `access.py` never hand-roll parsing.

Facts:
- A token is one or more tchar: ``!#$%&'*+-.^_`|~``, digits and ASCII letters (RFC 9110 §5.6.2).
- HTTP whitespace for header values is space and tab ("HTTP tab or space", Fetch §2.2).
- Chromium parses Access-Control-Allow-Methods/-Headers (and Expose-Headers) by splitting the
  combined value on ",", trimming spaces and tabs, skipping empty items, and failing the whole list
  when an item is not a token (`ParseAccessControlAllowList` in Chromium's preflight_result.cc).
  The spec's list parsing would keep empty items; Chromium skips them (browser scenario
  allow-headers-empty-elements is allowed; `Browser.list_skips_empty_items`).
- "Parse a MIME type" (MIME Sniffing §4.4) is strict: type "/" subtype, both tokens, then
  `;`-separated parameters; it is what decides whether Content-Type is safelisted.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cors_probe.model import Headers

TCHARS = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
HTTP_TAB_OR_SPACE = " \t"
HTTP_WHITESPACE = " \t\r\n"


def is_token(text: str) -> bool:
    """True when `text` is a non-empty RFC 9110 token."""
    return bool(text) and all(c in TCHARS for c in text)


def trim(value: str) -> str:
    """Strip leading and trailing HTTP tab or space, as browsers do with header values."""
    return value.strip(HTTP_TAB_OR_SPACE)


def is_valid_header_name(name: str) -> bool:
    return is_token(name)


def is_valid_header_value(value: str) -> bool:
    """A header value fetch() accepts: no NUL, CR or LF, no leading or trailing whitespace."""
    if any(c in value for c in "\x00\r\n"):
        return False
    return value == value.strip(HTTP_WHITESPACE)


@dataclass(frozen=True, slots=True)
class ListParse:
    """The result of parsing a comma-separated list of tokens."""

    items: tuple[str, ...]
    bad_item: str | None = None
    """The first item that is not a token; when set, the whole list failed to parse."""

    @property
    def ok(self) -> bool:
        return self.bad_item is None


LISTS_KEPT = 256
"""How many parses `parse_token_list` remembers: a run's answers repeat the same few
Access-Control-Allow-Methods/-Headers values thousands of times."""


@lru_cache(maxsize=LISTS_KEPT)  # pure, and ListParse is frozen
def parse_token_list(value: str | None, *, skip_empty: bool = True) -> ListParse:
    """Parse a `#token` list as Chromium does; an absent or empty value is an empty list.

    With `skip_empty` False an empty item (`a, , b`) is not a token and fails the list.
    Source: ParseAccessControlAllowList in Chromium's preflight_result.cc.
    """
    if value is None or trim(value) == "":
        return ListParse(())
    items: list[str] = []
    for raw in value.split(","):
        item = trim(raw)
        if not item and skip_empty:
            continue
        if not is_token(item):
            return ListParse(tuple(items), bad_item=item)
        items.append(item)
    return ListParse(tuple(items))


@dataclass(frozen=True, slots=True)
class MimeType:
    type: str
    subtype: str
    parameters: tuple[tuple[str, str], ...] = ()

    @property
    def essence(self) -> str:
        return f"{self.type}/{self.subtype}"


@lru_cache(maxsize=256)  # pure; a run asks about the same few Content-Types thousands of times
def parse_mime_type(value: str) -> MimeType | None:
    """The MIME Sniffing Standard's "parse a MIME type"; None on failure.

    Parameters that are not well formed are skipped, as the algorithm says; a quoted-string
    parameter value parses, but the CORS safelist rejects `"` separately (it is an unsafe byte).
    """
    text = value.strip(HTTP_WHITESPACE)
    slash = text.find("/")
    if slash < 0:
        return None
    type_ = text[:slash]
    if not is_token(type_):
        return None
    rest = text[slash + 1 :]
    semicolon = rest.find(";")
    subtype = (rest if semicolon < 0 else rest[:semicolon]).rstrip(HTTP_WHITESPACE)
    if not is_token(subtype):
        return None
    parameters: list[tuple[str, str]] = []
    if semicolon >= 0:
        for part in rest[semicolon + 1 :].split(";"):
            name, eq, param_value = part.lstrip(HTTP_WHITESPACE).partition("=")
            name = name.lower()
            if not eq or not is_token(name):
                continue
            param_value = param_value.rstrip(HTTP_WHITESPACE)
            if param_value.startswith('"'):
                param_value = param_value.strip('"')
            if param_value and all(c not in "\r\n" for c in param_value):
                parameters.append((name, param_value))
    return MimeType(type_.lower(), subtype.lower(), tuple(parameters))


def vary_names(headers: Headers) -> frozenset[str]:
    """The lower-cased field names `Vary` lists (every Vary line; `*` kept as `*`)."""
    return frozenset(
        trim(item).lower()
        for value in headers.get_all("Vary")
        for item in value.split(",")
        if trim(item)
    )


def vary_covers_origin(headers: Headers) -> bool:
    """Whether a cache must key this response on the request's Origin: `Vary` names `Origin`
    (any case) or is `*` (RFC 9111 section 4.1)."""
    names = vary_names(headers)
    return "origin" in names or "*" in names
