"""What the user typed, turned into model values; every mistake becomes a UsageError.

Raised before any I/O, so bad input never reaches the network (exit 2 at the CLI).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cors_probe.errors import UsageError
from cors_probe.model import Headers, Origin, RequestShape

if TYPE_CHECKING:
    from cors_probe.simulate import Answer, Answers

THIRD_PARTY_ORIGIN = "https://third-party.example"
"""The page origin used without --origin: an unrelated site that no allow-list should contain."""


def parse_header(text: str) -> tuple[str, str]:
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


def build_shape(
    url: str,
    origin: str | None,
    method: str,
    headers: list[str],
    credentials: bool,
    data: str | None,
    cookie: str | None,
) -> RequestShape:
    """Validate the user's input and turn it into what the page's script asks for."""
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
        headers=Headers(tuple(parse_header(h) for h in headers)),
        credentials=credentials,
        body=read_body(data),
        cookie=cookie,
        origin_given=origin_given,
    )


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


def _answer(table: Any, name: str, default: Answer, where: str) -> Answer:
    if table is None:
        return default
    if not isinstance(table, dict):
        raise UsageError(f"{where}: [{name}] must be a table")
    unknown = sorted(set(table) - {"status", "headers"})
    if unknown:
        raise UsageError(f"{where}: unknown key {name}.{unknown[0]} (expected status, headers)")
    status = table.get("status", default.status)
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise UsageError(f"{where}: {name}.status must be a number from 100 to 599")
    headers = table.get("headers", [])
    if not isinstance(headers, list) or not all(isinstance(h, str) for h in headers):
        raise UsageError(f"{where}: {name}.headers must be a list of 'Name: value' strings")
    from cors_probe.simulate import Answer

    return Answer(status, Headers(tuple(parse_header(h) for h in headers)))


def load_answers(path: str | None) -> Answers:
    """The server's answers from a TOML file: [preflight] and [response], status and headers."""
    import tomllib

    from cors_probe.simulate import DEFAULT_ANSWERS, Answers

    if path is None:
        return DEFAULT_ANSWERS
    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except OSError as exc:
        raise UsageError(f"--answers {path!r}: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML: {exc}") from exc
    unknown = sorted(set(document) - {"preflight", "response"})
    if unknown:
        raise UsageError(f"{path}: unknown table [{unknown[0]}] (expected [preflight], [response])")
    return Answers(
        _answer(document.get("preflight"), "preflight", DEFAULT_ANSWERS.preflight, path),
        _answer(document.get("response"), "response", DEFAULT_ANSWERS.response, path),
    )
