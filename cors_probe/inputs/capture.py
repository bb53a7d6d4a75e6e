"""A request captured by a browser (DevTools' "Copy as cURL" / "Copy as fetch", a HAR entry),
turned back into the request the page's script made.

The parsers (inputs/curl.py, inputs/fetch_js.py, inputs/har.py) each produce a `CapturedRequest`;
`derive` is the one place that decides what it means: the page's origin, the method as sent,
whether it was credentialed, which headers the script set (policy/capture.py) and what the user's
own flags replace. Every mistake is a UsageError, raised before any I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from cors_probe.errors import UsageError
from cors_probe.inputs.request import RequestOptions
from cors_probe.model import Derivation, DroppedHeader, Headers, RequestMode
from cors_probe.secrets import is_secret

ENGINES = ("chrome", "firefox", "safari")
"""The engines a capture can name (report keys, policy/browsers.py)."""
OTHER_ORIGIN = "other-origin"
"""The `DroppedHeader.reason` of a captured secret (Cookie, Authorization, API-key-like) left out
because the URL given replaces the captured one with another origin."""
MAX_CAPTURE = 1024 * 1024
"""The longest capture text read (1 MiB): from the command line, standard input or a file."""


class CaptureError(UsageError):
    """A capture text that cannot be read as a request: the message (with at most a short masked
    excerpt, inputs/excerpt.py) and the text, whose secrets the CLI scrubs from the line."""

    def __init__(self, message: str, text: str) -> None:
        super().__init__(message)
        self.text = text


@dataclass(frozen=True, slots=True)
class CapturedRequest:
    """A request as a capture holds it: everything that went on the wire, nothing derived yet."""

    url: str
    method: str
    """As sent (curl: -X, else POST with a body, else GET)."""
    headers: tuple[tuple[str, str], ...]
    """(name, value) pairs in capture order, duplicates and case kept."""
    body: bytes | None
    """The request body's bytes; None when there was none (b"" is an empty body)."""
    credentials: str | None = None
    """fetch()'s `credentials` option when the capture says it (`include`, `same-origin`,
    `omit`), else None."""
    mode: str | None = None
    """fetch()'s `mode` when the capture says it (`cors`, `no-cors`, `same-origin`), else None."""
    referrer: str | None = None
    """fetch()'s `referrer` option (Copy as fetch), else None."""
    source: str = "curl"
    """What it was captured as: a `Derivation.source` value (`curl`, `curl-cmd`, `powershell`,
    `fetch`, `node-fetch`, `har`)."""
    engine: str | None = None
    """The engine that sent it when the capture's shape tells (`chrome`, `firefox`, `safari`),
    else None (Chromium's defaults are then assumed for the header split)."""


@dataclass(frozen=True, slots=True)
class Overrides:
    """The request options the user gave as flags beside a capture; None (or empty) = not given."""

    url: str | None = None
    origin: str | None = None
    method: str | None = None
    headers: Sequence[str] = ()
    """`Name: value` strings (-H): each replaces every derived header of that name, or is added."""
    credentials: bool = False
    """--credentials (a flag: only `include` can be asked for)."""
    data: str | None = None
    """--data: the body (`@FILE` reads a file), replacing the captured one."""
    cookie: str | None = None
    mode: RequestMode | None = None


def engine_of(headers: Sequence[tuple[str, str]], hint: str | None = None) -> str | None:
    """The engine a capture came from: its User-Agent's product (`Firefox/`, `Chrome/`, else
    `Safari/`), else a header only one engine sends (`sec-ch-ua`: Chromium; `Priority`: Firefox),
    else `hint` (what the text's shape suggests), else None."""
    names = {n.lower(): v for n, v in headers}
    agent = names.get("user-agent", "")
    for product, engine in (("Firefox/", "firefox"), ("Chrome/", "chrome"), ("Safari/", "safari")):
        if product in agent:
            return engine
    if "sec-ch-ua" in names:
        return "chrome"
    if "priority" in names:
        return "firefox"
    return hint


def _origin_of(url: str) -> str | None:
    """The serialised origin of an http(s) URL, or None (not a URL, another scheme, opaque)."""
    from cors_probe.policy.url import UrlError, parse_url

    parsed = parse_url(url.strip())
    if isinstance(parsed, UrlError) or not parsed.is_http:
        return None
    origin = parsed.origin()
    return None if origin.opaque else origin.serialise()


def _page_origin(captured: CapturedRequest) -> tuple[str | None, str | None]:
    """(origin, where it came from): the Origin header, else the Referer's origin, else fetch()'s
    `referrer` option's; (None, None) when the capture names no page (https://fetch.spec.whatwg.org/#origin-header)."""
    for name, value in captured.headers:
        if name.lower() == "origin" and value.strip():
            return value.strip(), "Origin"
    for name, value in captured.headers:
        if name.lower() == "referer":
            origin = _origin_of(value)
            if origin is not None:
                return origin, "Referer"
    if captured.referrer:
        origin = _origin_of(captured.referrer)
        if origin is not None:
            return origin, "referrer"
    return None, None


def _mode(text: str | None) -> RequestMode | None:
    if text is None:
        return None
    try:
        return RequestMode(text)
    except ValueError:
        modes = ", ".join(m.value for m in RequestMode)
        raise UsageError(f"the captured mode {text!r} is not one of fetch()'s: {modes}") from None


def _sent_mode(captured: CapturedRequest) -> RequestMode | None:
    """The mode the browser says it used: the captured Sec-Fetch-Mode when it is a fetch() mode
    (https://w3c.github.io/webappsec-fetch-metadata/#sec-fetch-mode-header). It wins over a
    "Copy as fetch" `mode` option, which DevTools always writes as `cors`
    (NetworkLogView.ts generateFetchCall, RequestListContextMenu.js generateFetchString)."""
    for name, value in captured.headers:
        if name.lower() == "sec-fetch-mode":
            try:
                return RequestMode(value.strip().lower())
            except ValueError:
                return None
    return None


def _merged_headers(kept: list[str], given: Sequence[str]) -> tuple[list[str], list[str]]:
    """The derived `Name: value` list with each -H replacing the derived lines of its name (or
    added at the end), and the overridden flags' labels (`-H Name`)."""
    from cors_probe.inputs.request import parse_header

    names = {parse_header(h)[0].lower() for h in given}
    merged = [h for h in kept if h.partition(":")[0].strip().lower() not in names]
    labels = [f"-H {parse_header(h)[0]}" for h in given]
    return [*merged, *given], labels


def _kept_for(
    captured: CapturedRequest,
    url: str | None,
    kept: Headers,
    dropped: tuple[DroppedHeader, ...],
    cookie: str | None,
) -> tuple[Headers, tuple[DroppedHeader, ...], str | None]:
    """The captured headers, dropped headers and cookie that go to `url` (the URL given, None
    when the captured one is kept). A capture's secrets went only to the captured URL's origin,
    as the browser sent them (cookies are per site, an Authorization header set by the page for
    its API): when `url` has another origin, the Cookie and every secret-named header
    (secrets.is_secret) are left out with reason OTHER_ORIGIN; the same origin keeps them.
    Returns (kept, dropped, cookie)."""
    if url is None or _origin_of(url) == _origin_of(captured.url):
        return kept, dropped, cookie
    moved = [replace(d, reason=OTHER_ORIGIN) if d.reason == "cookie" else d for d in dropped]
    moved += [DroppedHeader(n, v, OTHER_ORIGIN) for n, v in kept if is_secret(n)]
    remaining = Headers(tuple((n, v) for n, v in kept if not is_secret(n)))
    return remaining, tuple(moved), None


def derive(
    captured: CapturedRequest, overrides: Overrides | None = None
) -> tuple[RequestOptions, Derivation]:
    """The script's request behind `captured`, with the user's flags applied, and how it was made.

    - origin: the Origin header, else the Referer's origin, else fetch()'s referrer option; none:
      the check runs as an unrelated third-party page;
    - method as sent (fetch() normalises it the same way again);
    - credentials: include when fetch()'s option says so, or when a Cookie was captured (a
      cross-origin fetch() only sends cookies with credentials `include`); the Cookie's value
      becomes the request's cookie;
    - headers: the script's (policy/capture.py decides, for `captured.engine`);
    - body as captured; mode from the captured Sec-Fetch-Mode, else fetch()'s mode option;
    - a URL given with another origin than the captured one: the captured Cookie and secret
      headers are not carried over (`_kept_for`); --cookie / -H send them there.
    Each flag in `overrides` replaces what was derived and is named in `Derivation.overridden`.
    Raises UsageError for an unknown engine or mode, or a malformed header in `overrides`.
    Returns the options for inputs.request.build (its `body` holds the captured bytes) and the
    Derivation the report shows first.
    """
    from cors_probe.policy.browsers import CHROMIUM, named
    from cors_probe.policy.capture import split_captured

    given = overrides or Overrides()
    if captured.engine is not None and captured.engine not in ENGINES:
        raise UsageError(f"unknown capturing engine {captured.engine!r}")
    browser = named(captured.engine) if captured.engine else CHROMIUM
    split = split_captured(captured.headers, browser, has_body=captured.body is not None)
    overridden: list[str] = []
    kept, dropped, captured_cookie = _kept_for(
        captured, given.url, split.kept, split.dropped, split.cookie
    )

    origin, origin_from = _page_origin(captured)
    if given.origin is not None:
        origin, origin_from = given.origin, "flag"
        overridden.append("--origin")
    method = captured.method
    if given.method is not None:
        method = given.method
        overridden.append("-X")
    credentials_from: str | None = None
    if captured.credentials == "include":
        credentials_from = "credentials"
    elif split.cookie is not None:
        credentials_from = "Cookie"
    if given.credentials and credentials_from is None:
        credentials_from = "flag"
        overridden.append("--credentials")
    headers, labels = _merged_headers([f"{n}: {v}" for n, v in kept], given.headers)
    overridden += labels
    cookie = captured_cookie
    if given.cookie is not None:
        cookie = given.cookie
        overridden.append("--cookie")
    body, data = captured.body, None
    if given.data is not None:
        body, data = None, given.data
        overridden.append("--data")
    copied_mode = _mode(captured.mode)  # checked even when Sec-Fetch-Mode decides
    mode = _sent_mode(captured) or copied_mode or RequestMode.CORS
    if given.mode is not None:
        mode = given.mode
        overridden.append("--mode")
    url = captured.url
    if given.url is not None:
        url = given.url
        overridden.append("URL")
    options = RequestOptions(
        url=url,
        origin=origin,
        method=method,
        headers=tuple(headers),
        credentials=credentials_from is not None,
        data=data,
        body=body,
        cookie=cookie,
        mode=mode,
    )
    derivation = Derivation(
        source=captured.source,
        origin_from=origin_from,
        credentials_from=credentials_from,
        dropped=dropped,
        overridden=tuple(overridden),
        engine=captured.engine,
    )
    return options, derivation


def read_capture(value: str, option: str) -> str:
    """The text of `--from-curl`/`--from-fetch`: `-` reads standard input, `@FILE` a file (both
    as `--data @FILE`: a pipe with nothing to read for BODY_WAIT seconds is refused), anything
    else is the text itself. At most MAX_CAPTURE bytes, UTF-8.

    Raises UsageError naming `option` for an empty, unreadable, idle, too large or non-UTF-8
    text.
    """
    import sys

    from cors_probe.inputs.request import read_file, read_stream

    if value == "-":
        try:
            descriptor = sys.stdin.fileno()
        except (AttributeError, ValueError, OSError):
            raise UsageError(f"{option} -: there is no standard input to read") from None
        raw = read_stream(descriptor, f"{option} -")
    elif value.startswith("@"):
        raw = read_file(value[1:], f"{option} {value!r}")
    else:
        raw = value.encode("utf-8", "surrogatepass")
    if len(raw) > MAX_CAPTURE:
        raise UsageError(f"{option}: the text is larger than {MAX_CAPTURE // 1024} KiB (the limit)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UsageError(f"{option}: not UTF-8 text (byte {error.start + 1})") from None
    if not text.strip():
        raise UsageError(f"{option}: the text is empty")
    return text


_PROMPT = re.compile(r"\A(\s*)(?:\$|>) (?=\s*\S)")
"""A shell prompt pasted with the command (`$ curl ...`, `> fetch(...)`)."""
_FETCH_SHAPE = re.compile(r"\A\s*(?:await\s+)?(?:window\.|globalThis\.)?fetch\s*\(")
_CURL_SHAPE = re.compile(
    r"\A\s*(?:curl(?:\.exe)?\s|\$session\s*=|Invoke-(?:WebRequest|RestMethod)\b)", re.I
)


def _without_prompt(text: str) -> str:
    """`text` without a leading `$ ` or `> ` prompt copied from a terminal along with it."""
    return _PROMPT.sub(r"\1", text, count=1)


def _check_shape(text: str, option: str, value: str) -> None:
    """UsageError when the text is clearly not what `option` reads: a fetch call given to
    --from-curl, a curl or PowerShell command given to --from-fetch, or a one-word text that is
    the name of an existing file (meant as `@FILE`)."""
    import os

    if option == "--from-curl" and _FETCH_SHAPE.match(text):
        raise UsageError("--from-curl: this is a fetch(...) call: give it to --from-fetch")
    if option == "--from-fetch" and _CURL_SHAPE.match(text):
        raise UsageError(
            "--from-fetch: this is a curl or PowerShell command: give it to --from-curl"
        )
    if value == text and " " not in value.strip() and os.path.isfile(value.strip()):
        raise UsageError(
            f"{option}: {value.strip()!r} is a file name: did you mean @{value.strip()}?"
        )


def from_capture(
    from_curl: str | None, from_fetch: str | None, overrides: Overrides
) -> tuple[RequestOptions, Derivation]:
    """`--from-curl TEXT` or `--from-fetch TEXT` (one of them), read, parsed and derived, with the
    user's flags in `overrides` applied (`derive`). Raises UsageError for both options at once
    and for a text that cannot be read, that the other option reads, or that names a file
    without `@`; a leading `$ ` / `> ` prompt is left out. CaptureError (a UsageError holding
    the text) for every mistake in the text."""
    if from_curl is not None and from_fetch is not None:
        raise UsageError("give --from-curl or --from-fetch, not both: a check is one request")
    if from_curl is not None:
        from cors_probe.inputs.curl import parse_curl as parser

        option, value = "--from-curl", from_curl
    elif from_fetch is not None:
        from cors_probe.inputs.fetch_js import parse_fetch as parser

        option, value = "--from-fetch", from_fetch
    else:
        raise UsageError("give --from-curl or --from-fetch")
    text = _without_prompt(read_capture(value, option))
    _check_shape(text, option, value)
    try:
        captured = parser(text)
    except UsageError as error:
        raise CaptureError(str(error), text) from None
    return derive(captured, overrides)
