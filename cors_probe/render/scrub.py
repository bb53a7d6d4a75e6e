"""What a server controls, and what the user keeps secret, are made safe in one place.

Two cleanings, applied to the subject's string values before any writer lays a document out
(`clean`, called by `render.writer`), so they never touch a document's syntax (a secret `true`
cannot turn a JSON `true` into `****`, nor `null` a schema name):

- by value: the request's secrets (`secrets_of`: values of secret-named headers, the Cookie, the
  URL's user info and secret-looking query parameters) and a policy file's environment values are
  replaced by `****` wherever they show up: a server echoing them under another name, a redirect's
  Location, the next hop's URL, a finding. Header values are also masked by name (`render.mask`).
- control characters (C0 but TAB, DEL, C1) become visible escapes (`\\x1b`) in the formats that
  reach a terminal or a CI log as they are (text, JUnit, GitHub): a server cannot recolour or
  overwrite a line of the report, and JUnit stays well-formed XML 1.0. JSON and SARIF escape them
  already (json.dumps).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import fields, is_dataclass, replace
from enum import Enum
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote, quote_plus, unquote, unquote_plus

from cors_probe.secrets import MASK, MIN_SECRET, is_secret, is_secret_param

if TYPE_CHECKING:
    from cors_probe.model import Headers, Report, RequestShape
    from cors_probe.render import Subject

T = TypeVar("T")
CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
HEADER_OPTIONS = ("-H", "--header", "--assume-header", "--preflight-header", "--response-header")
NAME = re.compile(r"\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)")


def _escaped(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def visible(text: str) -> str:
    """Control characters (but TAB) as `\\xNN`, so a terminal shows them instead of obeying."""
    return CONTROL.sub(_escaped, text)


def _forms(secret: str) -> set[str]:
    """The ways a value shows up in a string: as is, percent-encoded (a URL, a Location), and as
    JSON or XML would escape it (a server echoing it in a body)."""
    from xml.sax.saxutils import escape

    forms = {secret, quote(secret, safe=""), quote(secret), quote_plus(secret)}
    forms |= {json.dumps(secret, ensure_ascii=False)[1:-1], escape(secret)}
    return {f for f in forms if f}


def scrub(text: str, secrets: Iterable[str]) -> str:
    """`text` (a string value, not a document) with every form of every secret as `****`."""
    return _scrubber(secrets)(text)


def _scrubber(secrets: Iterable[str]) -> Callable[[str], str]:
    """`scrub` for these `secrets`, their forms worked out once: longest secrets first, and each
    one's longest forms first, so that a secret inside another is masked inside it."""
    forms = [
        form
        for secret in sorted(secrets, key=len, reverse=True)
        for form in sorted(_forms(secret), key=len, reverse=True)
    ]

    def scrubbed(text: str) -> str:
        for form in forms:
            text = text.replace(form, MASK)
        return text

    return scrubbed


def in_json(text: str, secrets: Iterable[str]) -> bool:
    """Whether some form of some secret (of MIN_SECRET characters or more) may be in a string of
    the JSON document `text` (made with ensure_ascii=False). JSON escapes a string character by
    character, so a string holding a form holds that form's escape: False means `clean` of the
    document would change nothing (a key holding one only makes this say True)."""
    known = [s for s in secrets if len(s) >= MIN_SECRET]
    escaped = (json.dumps(form, ensure_ascii=False)[1:-1] for s in known for form in _forms(s))
    return any(form in text for form in escaped)


def clean_line(line: str, secrets: Iterable[str]) -> str:
    """One line for stderr or a log: secrets scrubbed, control characters visible."""
    return visible(scrub(line, secrets))


def map_strings(value: T, change: Callable[[str], str], memo: _Memo | None = None) -> T:
    """`value` with `change` applied to every string inside it: dataclasses (frozen ones rebuilt),
    tuples, lists, sets and mapping values (keys are a document's vocabulary and stay). Enums,
    numbers, bytes and None are left as they are; parts that do not change are not copied.

    `memo` (a dict kept for one walk, while `value` lives): each object other than a string met
    again (an origin, a header list or a tuple of codes shared by thousands of checks) is walked
    once, its cleaned copy reused."""
    kind = type(value)
    if kind is str:  # a document's own types first: a run's entry has hundreds of values
        return change(value)  # type: ignore[arg-type, return-value]
    if kind in _UNCHANGED:
        return value
    if memo is not None:
        known = memo.get(id(value))
        if known is not None:
            return known[1]  # type: ignore[return-value]
    if kind is dict or kind is list:
        result: Any = _map_json(value, change, memo)  # type: ignore[arg-type]
    else:
        result = _map_other(value, change, memo)
    if memo is not None:
        memo[id(value)] = (value, result)  # the value is kept: its id stays its own
    return result  # type: ignore[no-any-return]


_Memo = dict[int, tuple[object, object]]
"""id(object) -> (the object, its cleaned copy), for one walk (`map_strings`)."""

_UNCHANGED = frozenset({int, float, bool, type(None), bytes})

_FIELDS: dict[type, tuple[str, ...] | None] = {}
"""A type's init fields' names when it is a dataclass, else None: `dataclasses.fields` once
per type rather than once per object."""


def _dataclass_fields(kind: type) -> tuple[str, ...] | None:
    names = _FIELDS.get(kind, ())
    if names == ():
        names = tuple(f.name for f in fields(kind) if f.init) if is_dataclass(kind) else None
        _FIELDS[kind] = names
    return names


def _map_other(value: Any, change: Callable[[str], str], memo: _Memo | None) -> object:
    """`map_strings` of anything but a string, a dict, a list or a scalar."""
    if isinstance(value, Enum | bytes | int | float) or value is None:
        return value
    if isinstance(value, str):
        return change(value)
    names = _dataclass_fields(type(value))
    if names is not None:
        changes = {}
        for name in names:
            old = getattr(value, name)
            new = map_strings(old, change, memo)
            if new is not old:
                changes[name] = new
        return replace(value, **changes) if changes else value
    if isinstance(value, tuple | list | set | frozenset):
        items = [map_strings(item, change, memo) for item in value]
        if any(new is not old for new, old in zip(items, value, strict=True)):
            return type(value)(items)
        return value
    if isinstance(value, Mapping):
        pairs = {key: map_strings(item, change, memo) for key, item in value.items()}
        if any(pairs[key] is not item for key, item in value.items()):
            return pairs
    return value


def _map_json(
    value: dict[Any, Any] | list[Any], change: Callable[[str], str], memo: _Memo | None = None
) -> object:
    """`map_strings` of a dict (its values) or a list, rebuilt only when something changed."""
    changed = False
    if isinstance(value, dict):
        pairs = {}
        for key, item in value.items():
            new = map_strings(item, change, memo)
            changed = changed or new is not item
            pairs[key] = new
        return pairs if changed else value
    items = []
    for item in value:
        new = map_strings(item, change, memo)
        changed = changed or new is not item
        items.append(new)
    return items if changed else value


def needs_cleaning(secrets: Iterable[str], *, controls: bool) -> bool:
    """Whether `clean` with these arguments may change anything (False: it gives its value)."""
    return controls or any(len(s) >= MIN_SECRET for s in secrets)


def clean(value: T, secrets: Iterable[str], *, controls: bool) -> T:
    """`value` (a subject, or a document before it is serialised) with its string values scrubbed
    of `secrets` and, when `controls`, with control characters made visible."""
    known = frozenset(s for s in secrets if len(s) >= MIN_SECRET)
    if not known and not controls:
        return value
    scrubbed = _scrubber(known)

    def change(text: str) -> str:
        text = scrubbed(text) if known else text
        return visible(text) if controls else text

    # a document (a dict or a list, built for one write) shares nothing: no memo to keep
    return map_strings(value, change, None if type(value) in (dict, list) else {})


def _credentials(value: str) -> set[str]:
    """A header's secret: the credential after an auth scheme (`Bearer abc`: the scheme stays
    readable, as masking by name keeps it), else the whole value."""
    scheme, space, rest = value.strip().partition(" ")
    if space and scheme.isalpha() and rest.strip():
        return {rest.strip()}
    return {value.strip()}


def _cookies(value: str) -> set[str]:
    """Each cookie (`name=value`) and each value."""
    found = set()
    for crumb in value.split(";"):
        found.add(crumb.strip())
        found.add(crumb.partition("=")[2].strip())
    return found


def url_secrets(url: str) -> set[str]:
    """The user info (`user:pass@`) and secret-looking query parameters (`?api_key=`) of a URL,
    as written and decoded. Read by hand, not by a URL parser: a URL that does not parse (a bad
    one quoted by an error message) has its secrets too."""
    found: set[str] = set()
    if "?" not in url and "@" not in url:  # no query, no user info: nothing to find
        return found
    rest = url.partition("#")[0]
    rest, _, query = rest.partition("?")
    authority = rest.partition("://")[2].replace("\\", "/").partition("/")[0]
    userinfo, at, _ = authority.rpartition("@")
    if at:
        user, _, password = userinfo.partition(":")
        found |= {userinfo, user, password}
    for raw in query.split("&"):
        name, _, value = raw.partition("=")
        if value and is_secret_param(unquote_plus(name)):
            found |= {value, unquote(value), unquote_plus(value)}
    return found | {unquote(s) for s in found}


def secrets_of(shape: RequestShape) -> frozenset[str]:
    """The secrets the user put in a request: values of secret-named headers (and the
    credential after their scheme), the Cookie and each of its cookies, the URL's user info and
    secret-looking query parameters. Shorter than MIN_SECRET characters are left out."""
    in_url = url_secrets(shape.url)
    told = _told(shape.headers, shape.cookie)
    if not in_url:
        return told
    return told | frozenset(s for s in in_url if len(s) >= MIN_SECRET)


@lru_cache(maxsize=256)
def _told(headers: Headers, cookie: str | None) -> frozenset[str]:
    """`secrets_of`'s part from the headers and the Cookie: a run's checks share a few header
    lists, and each check asks for its secrets several times (its progress line, its entry)."""
    found: set[str] = set()
    for name, value in headers:
        if name.lower() in ("cookie", "set-cookie"):
            found |= _cookies(value)
        elif is_secret(name):
            found |= _credentials(value)
    if cookie:
        found |= _cookies(cookie)
    return frozenset(s for s in found if len(s) >= MIN_SECRET)


def _dropped_secrets(report: Report) -> set[str]:
    """The secrets among the captured headers a derivation left out (`Report.derived`): a
    captured Cookie replaced by --cookie, a Proxy-Authorization, an API key the browser added."""
    found: set[str] = set()
    for dropped in report.derived.dropped if report.derived is not None else ():
        if dropped.name.lower() in ("cookie", "set-cookie"):
            found |= _cookies(dropped.value)
        elif is_secret(dropped.name):
            found |= _credentials(dropped.value)
    return {s for s in found if len(s) >= MIN_SECRET}


def secrets_in(subject: Subject) -> frozenset[str]:
    """Every secret of a subject's requests (`secrets_of` each report's or check's shape), and a
    run's policy-file environment values."""
    from cors_probe.model import Report
    from cors_probe.usecases.results import Run

    bodies: Iterable[str]
    if isinstance(subject, Run):
        # a run's checks are the policy's (one shape object each): every shape once, and only
        # the findings a result kept can quote a body (a walk of the whole run took ~0.4 ms a check)
        kept = [check.shape for check in subject.policy.checks]
        kept += [result.spec.shape for result in subject.results]
        shapes = list({id(shape): shape for shape in kept}.values())
        found = set(subject.policy.secrets)
        bodies = _quoted_bodies(
            [(r.findings, r.decisive) for r in subject.results if r.findings or r.decisive]
        )
    elif isinstance(subject, Report):
        shapes, found = [subject.shape], _dropped_secrets(subject)
        bodies = _quoted_bodies(subject)
    else:  # the demo's Tour (usecases.demo is not imported by a check)
        shapes, found = [stop.report.shape for stop in subject.stops], set()
        bodies = _quoted_bodies(subject)
    for shape in shapes:
        found |= secrets_of(shape)
    found |= {secret for body in bodies for secret in body_secrets(body)}
    return frozenset(found)


FIELD = re.compile(
    r"""["']?([A-Za-z][\w.-]*)["']?\s*[:=]\s*(?:"([^"]*)"|'([^']*)'|([^\s"',;&{}\[\]]+))"""
)
"""A named value in a body: JSON (`"token": "abc"`), a form or query (`token=abc`), a header line
(`Authorization: Bearer abc`)."""
SCHEME = re.compile(r"(?i:bearer|basic|token|digest)")
"""An auth scheme's name: not a secret (`Authorization: Bearer abc` masks `abc`)."""
SCHEME_CREDENTIAL = re.compile(r"\b(?:Bearer|Basic|Token|Digest)\s+([A-Za-z0-9._~+/=-]{4,})")


def body_secrets(text: str) -> set[str]:
    """The secrets a response body quotes back (a framework echoing the request in its error
    page): values of secret-named fields (`"authorization": "Bearer abc"`, `api_key=abc`,
    `"cookie": "sid=abc"`: the whole value and the credential after its scheme, each cookie's
    value) and any credential after an auth scheme (`Bearer abc`)."""
    found: set[str] = set()
    for match in FIELD.finditer(text):
        name = match.group(1)
        value = next(v for v in match.group(2, 3, 4) if v is not None).strip()
        if not value or not is_secret_param(name) or SCHEME.fullmatch(value):
            continue
        found |= _cookies(value) if "cookie" in name.lower() else _credentials(value)
    found |= {m.group(1) for m in SCHEME_CREDENTIAL.finditer(text)}
    return {s for s in found if len(s) >= MIN_SECRET}


URL = re.compile(r"""https?://[^\s'"`<>]+""")


def capture_secrets(text: str) -> frozenset[str]:
    """The secrets of a pasted capture ("Copy as cURL", "Copy as fetch"): what `body_secrets`
    finds (secret-named headers and fields, cookies, credentials after an auth scheme) and each
    URL's user info and secret query parameters (`url_secrets`)."""
    found = body_secrets(text)
    for match in URL.finditer(text):
        found |= url_secrets(match.group(0))
    return frozenset(s for s in found if len(s) >= MIN_SECRET)


def _quoted_bodies(value: object) -> Iterator[str]:
    """Every response-body excerpt a subject quotes (a finding's `body` detail), wherever the
    finding sits: an engine's report, the cache probe, a run's results."""
    from cors_probe.model import Finding

    if isinstance(value, Finding):
        body = value.detail.get("body")
        if isinstance(body, str):
            yield body
    elif is_dataclass(value) and not isinstance(value, type):
        for field in fields(value):
            yield from _quoted_bodies(getattr(value, field.name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _quoted_bodies(item)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _quoted_bodies(item)


def _argv_header_secrets(text: str) -> set[str]:
    """`Name: value`, or a mistyped `Name value` / `Name=value`: the value when the name is a
    secret's (the whole text after the name when there is no colon)."""
    name, colon, value = text.partition(":")
    if not colon:
        match = NAME.match(text)
        if match is None:
            return set()
        name, value = match.group(1), text[match.end() :].lstrip(" \t=")
    name = name.strip()
    if not value.strip():
        return set()
    if name.lower() in ("cookie", "set-cookie"):
        return _cookies(value)
    return _credentials(value) if is_secret(name) else set()


def argv_secrets(argv: list[str]) -> frozenset[str]:
    """The secrets in a command line: values of secret-named headers (`-H`, `--*-header`, also
    without their colon), `--cookie`, and the user info and secret query parameters of URLs."""
    found: set[str] = set()
    taking: str | None = None
    for arg in argv:
        if taking is not None:
            found |= _cookies(arg) if taking == "--cookie" else _argv_header_secrets(arg)
            taking = None
            continue
        option, equals, rest = arg.partition("=")
        if arg in (*HEADER_OPTIONS, "--cookie"):
            taking = arg
        elif equals and option in (*HEADER_OPTIONS, "--cookie"):
            found |= _cookies(rest) if option == "--cookie" else _argv_header_secrets(rest)
        elif arg.startswith("-H") and len(arg) > 2:
            found |= _argv_header_secrets(arg[2:])
        elif "://" in arg:
            found |= url_secrets(arg)
    return frozenset(s for s in found if len(s) >= 3)


def scrub_argv_line(line: str, argv: list[str]) -> str:
    """A one-line error message with the secrets of the command line masked (a mistyped
    `-H 'Authorization Bearer abc'` is quoted back by "has no colon") and control characters
    visible."""
    return clean_line(line, argv_secrets(argv))
