"""A HAR 1.2 capture (DevTools' "Save all as HAR", Firefox's "Save All As HAR") -> values.

Read size-capped, parsed as JSON, its structure checked against the HAR 1.2 subset cors-probe
reads (har_schema.json, with jsonschema); any mistake is ONE UsageError naming the file and the
JSON path (`log.entries[3].response.status`). Then grouped into the conversations a browser had:
each cross-origin request with its preflight (an OPTIONS carrying Access-Control-Request-Method,
https://fetch.spec.whatwg.org/#cors-preflight-fetch) and its redirect hops (`redirectURL` and the
entry that asked for it), the page's origin and the engine that made the capture. Nothing here
judges CORS: usecases/har.py replays each conversation through the engine's rules.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from cors_probe.errors import UsageError
from cors_probe.inputs.capture import CapturedRequest
from cors_probe.model import ExchangeKind, Headers, WireResponse
from cors_probe.usecases.har import Recorded

MAX_HAR = 64 * 1024 * 1024
"""The largest HAR file read (64 MiB: DevTools' exports of a long session with bodies)."""
HAR_VERSIONS = ("1.2", "1.1")
"""HAR versions read (1.1 has the same fields cors-probe reads)."""


@dataclass(frozen=True, slots=True)
class HarEntry:
    """One request and its response as the capture holds them."""

    number: int
    """Its place in `log.entries`, from 1 (what `--entry` names)."""
    method: str
    url: str
    request_headers: Headers
    body: bytes | None
    status: int
    """0 when the capture holds no response (never sent, or the browser failed it)."""
    status_text: str
    response_headers: Headers
    redirect_url: str
    http_version: str
    error: str | None
    """Why the browser failed it, when the capture says (`_error`: `net::ERR_FAILED`)."""
    resource_type: str | None
    """DevTools' `_resourceType` (`fetch`, `xhr`, `preflight`, `document`...), when given."""
    body_text: bytes = b""
    """The start of the response body, when the capture kept it."""

    @property
    def answered(self) -> bool:
        """Whether the capture holds the server's response (a status line)."""
        return self.status > 0

    @property
    def is_preflight(self) -> bool:
        """An OPTIONS carrying Access-Control-Request-Method: a CORS preflight."""
        return self.method == "OPTIONS" and "Access-Control-Request-Method" in self.request_headers


@dataclass(frozen=True, slots=True)
class Hop:
    """One URL of a conversation: the request there, and the preflight before it, if any."""

    entry: HarEntry
    preflight: HarEntry | None = None


@dataclass(frozen=True, slots=True)
class HarConversation:
    """One fetch() as captured: its hops (the first URL, then each redirect's target)."""

    hops: tuple[Hop, ...]
    page: str | None
    """The page's origin when the capture tells it (Origin, Referer, the page's URL)."""

    @property
    def first(self) -> HarEntry:
        return self.hops[0].entry

    @property
    def last(self) -> HarEntry:
        return self.hops[-1].entry


@dataclass(frozen=True, slots=True)
class Har:
    """A whole capture: where it came from, its entries, and who made it."""

    path: str
    creator: str
    creator_version: str
    entries: tuple[HarEntry, ...]
    pages: tuple[str, ...]
    """Each page's URL (DevTools writes it as the page's title), when it is one."""
    engine: str | None
    """The engine that made the capture (`chrome`, `firefox`, `safari`), when known."""


def _schema() -> dict[str, Any]:
    text = resources.files("cors_probe.inputs").joinpath("har_schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _json_path(parts: list[str | int]) -> str:
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
    return path or "the document"


def _validate(document: object, label: str) -> None:
    """UsageError naming the first place `document` departs from the HAR subset we read."""
    import jsonschema  # a runtime dependency, imported only to read a HAR

    validator = jsonschema.Draft202012Validator(_schema())
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    if error is not None:
        parts = list(error.absolute_path)
        where = _json_path(parts)
        if parts[:1] == ["log"] and parts[1:2] == ["entries"] and len(parts) > 2:
            where += f" (entry {int(parts[2]) + 1}, as --entry counts; JSON paths count from 0)"
        message = error.message if len(error.message) <= 120 else error.message[:117] + "..."
        raise UsageError(f"{label}: not a HAR 1.2 file: at {where}: {message}")


def load(path: str) -> Har:
    """The HAR file at `path`, checked and turned into values.

    Raises UsageError (one line, naming the file and the JSON path) for an unreadable or too big
    file, text that is not UTF-8 JSON (a truncated file included), a document that is not HAR
    1.2 (jsonschema against har_schema.json) and a version other than 1.1 or 1.2."""
    from cors_probe.inputs.request import read_file

    label = f"HAR file {path!r}"
    raw = read_file(path, label, MAX_HAR) if path != "-" else _stdin(label)
    if not raw.strip():
        raise UsageError(f"{label}: the file is empty")
    try:
        document = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise UsageError(f"{label}: not UTF-8 text (byte {error.start})") from None
    except json.JSONDecodeError as error:
        cut = error.pos >= len(raw.decode("utf-8-sig").rstrip())
        why = "truncated (the JSON ends too early)" if cut else error.msg.removesuffix(" at")
        if error.msg.startswith("Unterminated string"):  # a string running to the end of file
            why = f"truncated (a string starting at line {error.lineno} never ends)"
            raise UsageError(f"{label}: not JSON: {why}") from None
        raise UsageError(
            f"{label}: not JSON: {why} at line {error.lineno} column {error.colno}"
        ) from None
    except RecursionError:
        raise UsageError(f"{label}: not a HAR file: its JSON is nested too deeply") from None
    try:
        _validate(document, label)
    except RecursionError:
        raise UsageError(f"{label}: not a HAR file: its JSON is nested too deeply") from None
    log = document["log"]
    if log["version"] not in HAR_VERSIONS:
        raise UsageError(
            f"{label}: at log.version: HAR version {log['version']!r} is not read "
            f"(cors-probe reads HAR {' and '.join(HAR_VERSIONS)})"
        )
    isomorphic = "firefox" in log["creator"]["name"].lower()
    entries = tuple(_entry(n, e, isomorphic) for n, e in enumerate(log["entries"], start=1))
    pages = tuple(
        p["title"] for p in log.get("pages", []) if str(p.get("title", "")).startswith("http")
    )
    creator = log["creator"]
    return Har(
        path,
        creator["name"],
        str(creator.get("version", "")),
        entries,
        pages,
        engine_of(creator["name"], entries),
    )


def _stdin(label: str) -> bytes:
    """Standard input, size-capped; an idle pipe is given up after request.BODY_WAIT seconds
    of nothing, as `--data @FILE` does (request.read_stream)."""
    import sys

    from cors_probe.inputs.request import read_stream

    try:
        descriptor = sys.stdin.fileno()
    except (AttributeError, OSError, ValueError):
        raise UsageError(f"{label}: standard input cannot be read") from None
    return read_stream(descriptor, label, MAX_HAR)


def _headers(items: list[dict[str, str]], isomorphic: bool) -> Headers:
    """HAR header pairs as wire values (model.py: each byte one Latin-1 character). Chromium's
    DevTools writes a header's bytes decoded as UTF-8 (front_end/models/har/Log.ts takes the
    network service's strings), so a value is encoded back to UTF-8 to get its bytes; Firefox
    writes each byte as one character (devtools/client/netmonitor/src/har/har-builder.js:
    `isomorphic`), kept as it is unless a character is beyond Latin-1. Bytes that were not
    UTF-8 are lost in a Chromium HAR: JSON text cannot hold them."""
    pairs = []
    for item in items:
        name, value = item["name"], item["value"]
        if name.startswith(":"):  # HTTP/2 pseudo-headers (:authority, :method...) are no header
            continue
        if not value.isascii() and not (isomorphic and _latin1(value)):
            value = value.encode("utf-8", "surrogatepass").decode("latin-1")
        pairs.append((name, value))
    return Headers(tuple(pairs))


def _latin1(text: str) -> bool:
    return all(ord(c) < 0x100 for c in text)


def _body(data: dict[str, Any] | None) -> bytes | None:
    if data is None or "text" not in data:
        return None
    text = str(data["text"])
    if data.get("encoding") == "base64":
        import base64
        import binascii

        try:
            return base64.b64decode(text, validate=True)
        except binascii.Error:
            return text.encode("utf-8")
    return text.encode("utf-8")


def _entry(number: int, entry: dict[str, Any], isomorphic: bool) -> HarEntry:
    request, response = entry["request"], entry["response"]
    content = response.get("content") or {}
    kept = (_body(content) or b"")[:4096]
    return HarEntry(
        number=number,
        method=request["method"],
        url=request["url"],
        request_headers=_headers(request["headers"], isomorphic),
        body=_body(request.get("postData")),
        status=response["status"],
        status_text=response.get("statusText", ""),
        response_headers=_headers(response["headers"], isomorphic),
        redirect_url=response.get("redirectURL", "") or "",
        http_version=response.get("httpVersion", "") or "HTTP/1.1",
        error=response.get("_error") or None,
        resource_type=entry.get("_resourceType"),
        body_text=kept,
    )


def engine_of(creator: str, entries: tuple[HarEntry, ...]) -> str | None:
    """The engine that made the capture: DevTools writes creator `WebInspector` (Chromium),
    Firefox `Firefox`, Safari's Web Inspector `WebKit Web Inspector`; else the first
    User-Agent's product (Firefox/, Chrome/ or Chromium/, else Safari/)."""
    name = creator.lower()
    if name == "webinspector":
        return "chrome"
    if "firefox" in name:
        return "firefox"
    if "webkit" in name or "safari" in name:
        return "safari"
    for entry in entries:
        agent = entry.request_headers.get("User-Agent")
        if agent is None:
            continue
        if "Firefox/" in agent:
            return "firefox"
        if "Chrome/" in agent or "Chromium/" in agent or "HeadlessChrome/" in agent:
            return "chrome"
        if "Safari/" in agent:
            return "safari"
    return None


def _origin(url: str) -> str | None:
    from cors_probe.policy.url import UrlError, parse_url

    parsed = parse_url(url)
    if isinstance(parsed, UrlError) or not parsed.is_http or parsed.origin().opaque:
        return None
    return parsed.origin().serialise()


def page_origin(entry: HarEntry, pages: tuple[str, ...]) -> str | None:
    """The page's origin for `entry`: its Origin header, else its Referer's origin, else the
    capture's (only) page's (https://fetch.spec.whatwg.org/#origin-header)."""
    origin = entry.request_headers.get("Origin")
    if origin:
        return origin.strip()
    referer = entry.request_headers.get("Referer")
    if referer and _origin(referer) is not None:
        return _origin(referer)
    if len(pages) == 1:
        return _origin(pages[0])
    return None


def is_web(url: str) -> bool:
    """Whether `url` is one a CORS fetch() can go to: its scheme is http or https; False for
    ws:, wss:, data:, blob:, chrome-extension:, a mistyped `htp:` (https://fetch.spec.whatwg.org/
    #http-fetch; https://url.spec.whatwg.org/#scheme-state). A URL without a scheme, or that
    does not split, counts as web here: reading it says what is wrong with it."""
    from urllib.parse import urlsplit

    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return True
    return scheme in ("", "http", "https")


def not_web(har: Har) -> tuple[HarEntry, ...]:
    """The entries of `har` whose URL is not http(s) (is_web): not fetch()es cors-probe judges,
    left out of conversations()."""
    return tuple(e for e in har.entries if not is_web(e.url))


def _normal(url: str) -> str:
    """`url` serialised as a browser does (as it is when it does not parse)."""
    from cors_probe.policy.url import UrlError, parse_url

    parsed = parse_url(url)
    return url if isinstance(parsed, UrlError) else parsed.serialise()


def _target(entry: HarEntry) -> str | None:
    """Where a redirect entry led: its Location's bytes as a browser reads them (each byte
    above 0x7F percent-encoded, redirect.location_text), resolved against its URL; the
    capture's `redirectURL` when it has no Location; None when neither is there."""
    from cors_probe.policy.redirect import location_text

    location = entry.response_headers.get("Location")
    if location is not None:
        return _resolved(entry.url, location_text(location))
    return _resolved(entry.url, entry.redirect_url) if entry.redirect_url else None


def _resolved(base: str, location: str) -> str:
    """`location` resolved against `base` and serialised as a browser does; as it is when
    either does not parse."""
    from cors_probe.policy.url import UrlError, parse_url

    parsed_base = parse_url(base)
    if isinstance(parsed_base, UrlError):
        return location
    target = parse_url(location, base=parsed_base)
    return location if isinstance(target, UrlError) else target.serialise()


def conversations(har: Har) -> list[HarConversation]:
    """Every cross-origin conversation in `har`, in capture order: a request whose URL (or a
    redirect target's) is of another origin than its page's (a request that names no page, a
    navigation, is none), with its redirect hops (the
    entry a `redirectURL` led to: the next one with that URL) and each hop's preflight (the
    closest unused OPTIONS to the same URL whose Access-Control-Request-Method is the hop's
    method). Preflights and hops belong to their conversation, not listed again. An entry whose
    URL is not http(s) (is_web: a ws: socket, a data: URL) is in none."""
    entries = [e for e in har.entries if is_web(e.url)]
    used: set[int] = set()
    found: list[HarConversation] = []
    for entry in entries:
        if entry.number in used or entry.is_preflight:
            continue
        chain = [entry]
        used.add(entry.number)
        while 300 <= chain[-1].status < 400:
            target = _target(chain[-1])
            if target is None:
                break
            following = next(
                (
                    e
                    for e in entries[entries.index(chain[-1]) + 1 :]
                    if e.number not in used and not e.is_preflight and _normal(e.url) == target
                ),
                None,
            )
            if following is None:
                break
            chain.append(following)
            used.add(following.number)
        page = page_origin(entry, har.pages)
        if page is None or entry.resource_type == "document":
            continue  # no page named (a navigation, or a capture that does not tell): no CORS
        if all(_origin(e.url) == page for e in chain):
            continue  # same-origin all the way: no CORS
        hops = tuple(Hop(e, _preflight_of(e, entries, used)) for e in chain)
        found.append(HarConversation(hops, page))
    return found


def _preflight_of(entry: HarEntry, entries: list[HarEntry], used: set[int]) -> HarEntry | None:
    """The preflight for `entry`: the unused one to its URL asking for its method, nearest to
    it (DevTools lists the preflight just after the request it was made for)."""
    candidates = [
        e
        for e in entries
        if e.is_preflight
        and e.number not in used
        and e.url == entry.url
        and e.request_headers.get("Access-Control-Request-Method") == entry.method
    ]
    if not candidates:
        return None
    chosen = min(candidates, key=lambda e: abs(e.number - entry.number))
    used.add(chosen.number)
    return chosen


def captured(conversation: HarConversation, engine: str | None) -> CapturedRequest:
    """The first request of `conversation` as a CapturedRequest (for inputs.capture.derive): its
    headers as captured, its body, fetch()'s mode from Sec-Fetch-Mode when it was sent
    (https://w3c.github.io/webappsec-fetch-metadata/#sec-fetch-mode-header)."""
    first = conversation.first
    mode = first.request_headers.get("Sec-Fetch-Mode")
    return CapturedRequest(
        url=first.url,
        method=first.method,
        headers=first.request_headers.pairs,
        body=first.body,
        mode=mode if mode in ("cors", "no-cors", "same-origin") else None,
        source="har",
        engine=engine,
    )


def _response(entry: HarEntry) -> WireResponse | None:
    if not entry.answered:
        return None
    return WireResponse(
        status=entry.status,
        headers=entry.response_headers,
        reason=entry.status_text,
        http_version=entry.http_version.upper(),
        body=entry.body_text,
        body_bytes=len(entry.body_text),
    )


def recorded(conversation: HarConversation) -> tuple[Recorded, ...]:
    """Each request of `conversation` with the response the capture holds for it (None when
    it holds none), for usecases.har.explain: each hop's preflight, then its request."""
    found: list[Recorded] = []
    for number, hop in enumerate(conversation.hops):
        if hop.preflight is not None:
            preflight = hop.preflight
            asked = preflight.request_headers.get("Access-Control-Request-Method") or ""
            found.append(
                Recorded(
                    ExchangeKind.PREFLIGHT,
                    number,
                    asked,
                    _normal(preflight.url),
                    _response(preflight),
                    preflight.number,
                )
            )
        entry = hop.entry
        found.append(
            Recorded(
                ExchangeKind.ACTUAL,
                number,
                entry.method,
                _normal(entry.url),
                _response(entry),
                entry.number,
            )
        )
    return tuple(found)
