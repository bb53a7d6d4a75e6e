"""Read and validate a policy file; every mistake is reported with file and line, before any I/O.

    base_url = "https://${API_HOST}/v1"        # ${NAME}: from the environment
    [defaults]                                  # timeout, headers, credentials, origin, method
    mode = "no-cors"                            # fetch()'s mode and redirect, in [defaults] too
    [origins]                                   # name = "https://app.example.com"
    [[check]]                                   # path(s), origin(s), method(s): a matrix
    expect = "allowed"                          # or "blocked"; forbid = [...], require = [...]
    browsers = ["chromium", "firefox"]          # or "all"; in [defaults] too (default chromium)

The same tables may live under [tool.cors-probe] in pyproject.toml.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cors_probe.codes import CACHE_PROBE_CODES, FindingCode
from cors_probe.errors import PolicyError, UsageError
from cors_probe.inputs.request import check_length, check_timeout
from cors_probe.model import Headers, Origin, RedirectMode, RequestMode, RequestShape
from cors_probe.policy.browsers import BROWSERS, BY_OPTION
from cors_probe.policy.gates import page_space
from cors_probe.secrets import MIN_SECRET, is_secret
from cors_probe.usecases.spec import CheckSpec, PolicyFile, engine_named

if TYPE_CHECKING:
    from cors_probe.policy.url import Url

DEFAULT_FILE = "cors-probe.toml"
TOP_KEYS = frozenset({"base_url", "defaults", "origins", "check"})
DEFAULT_KEYS = frozenset(
    {"timeout", "headers", "credentials", "origin", "method", "browsers", "mode", "redirect"}
)
CHECK_KEYS = frozenset(
    {
        "name", "path", "paths", "origin", "origins", "method", "methods", "headers",
        "credentials", "body", "expect", "forbid", "require", "allow_side_effects", "timeout",
        "browsers", "mode", "redirect",
    }
)  # fmt: skip
EXPECTATIONS = ("allowed", "blocked")
ENGINES = tuple(b.option for b in BROWSERS)
"""The engines' command-line names, in report order; `all` stands for every one."""
DEFAULT_ENGINES = ("chromium",)
ALIASES = {"chrome": "chromium", "edge": "chromium", "webkit": "safari", "gecko": "firefox"}
"""Names people give an engine, for the hint of an unknown one (the file takes one spelling)."""
ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass
class _Lines:
    """Where tables and keys sit in the file's text; tomllib keeps no positions."""

    text: str
    prefix: str  # "" for cors-probe.toml, "tool.cors-probe." in pyproject.toml
    lines: list[str] = field(init=False)
    _found: dict[tuple[str, bool], list[int]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.lines = self.text.splitlines()

    def _headers(self, full: str, array: bool) -> list[int]:
        """Lines of `[full]` (or `[[full]]`) headers; each table is looked up once per file."""
        found = self._found.get((full, array))
        if found is None:
            name = re.escape(full)
            pattern = rf"^\s*\[\[\s*{name}\s*\]\]" if array else rf"^\s*\[\s*{name}\s*\]"
            found = [i for i, line in enumerate(self.lines, 1) if re.match(pattern, line)]
            self._found[(full, array)] = found
        return found

    def top(self) -> int | None:
        """The header of the policy's own top level: None in cors-probe.toml (line 1 on)."""
        if not self.prefix:
            return None
        hits = self._headers(self.prefix.rstrip("."), array=False)
        return hits[0] if hits else None

    def table(self, table: str) -> int | None:
        hits = self._headers(self.prefix + table, array=False)
        return hits[0] if hits else None

    def check(self, index: int) -> int | None:
        hits = self._headers(self.prefix + "check", array=True)
        return hits[index] if index < len(hits) else None

    def key(self, key: str, start: int | None) -> int | None:
        """The line of `key = ...` in the section whose header is at `start` (None: the top of
        a plain file); failing that, of a `[key]` or `[[key]]` table, for unknown tables."""
        for number in range((start or 0) + 1, len(self.lines) + 1):
            line = self.lines[number - 1]
            if re.match(r"^\s*\[", line):
                break
            if re.match(rf"^\s*(\"?){re.escape(key)}\1\s*=", line):
                return number
        if start == self.top():
            for array in (False, True):
                hits = self._headers(self.prefix + key, array)
                if hits:
                    return hits[0]
        return None


class _Reader:
    def __init__(self, path: str, text: str, prefix: str, env: Mapping[str, str]) -> None:
        self.path, self.env = path, env
        self.lines = _Lines(text, prefix)
        self.secrets: set[str] = set()

    def fail(self, line: int | None, message: str) -> PolicyError:
        return PolicyError(self.path, line, message)

    def interpolate(self, text: str, line: int | None, secret: bool = False) -> str:
        """Replace ${NAME} with the environment's value; values put into headers and bodies are
        secrets (masked in every output), those in URLs and origins are not."""

        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in self.env:
                raise self.fail(line, f"${{{name}}} is not set in the environment")
            if secret and len(self.env[name]) >= MIN_SECRET:
                self.secrets.add(self.env[name])
            return self.env[name]

        return ENV.sub(value, text)

    def string(self, table: Mapping[str, Any], key: str, line: int | None) -> str | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(line, f"{key} must be a string")
        return value

    def strings(
        self,
        table: Mapping[str, Any],
        single: str,
        plural: str,
        start: int | None,
    ) -> list[str] | None:
        """`single = "x"` or `plural = ["x", ...]` in the table whose header is at `start`."""
        if single in table and plural in table:
            raise self.fail(start, f"give {single} or {plural}, not both")
        if single in table:
            value = self.string(table, single, self.lines.key(single, start) or start)
            return [value] if value is not None else None
        if plural in table:
            values = table[plural]
            where = self.lines.key(plural, start) or start
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise self.fail(where, f"{plural} must be a list of strings")
            if not values:
                raise self.fail(where, f"{plural} is empty")
            return list(values)
        return None

    def boolean(self, table: Mapping[str, Any], key: str, default: bool, start: int | None) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(self.lines.key(key, start) or start, f"{key} must be true or false")
        return value

    def headers(self, table: Mapping[str, Any], start: int | None) -> list[tuple[str, str]]:
        from cors_probe.inputs.request import parse_header

        raw = table.get("headers", [])
        line = self.lines.key("headers", start) or start
        if not isinstance(raw, list) or not all(isinstance(h, str) for h in raw):
            raise self.fail(line, "headers must be a list of 'Name: value' strings")
        parsed = []
        for text in raw:
            name = text.partition(":")[0].strip()
            if is_secret(name) and ":" in text and not ENV.search(text.partition(":")[2]):
                raise self.fail(
                    line,
                    f"the value of {name} is a secret: take it from the environment, "
                    f"e.g. '{name}: ${{{re.sub(r'[^A-Z0-9]', '_', name.upper())}}}'",
                )
            value_text = self.interpolate(text, line, secret=True)  # PolicyError: file:line
            try:
                name, value = parse_header(value_text)
            except UsageError as error:
                raise self.fail(line, str(error)) from None
            if is_secret(name) and value:
                self.secrets.add(value)
            parsed.append((name, value))
        return parsed

    def browsers(
        self, table: Mapping[str, Any], default: tuple[str, ...], start: int | None
    ) -> tuple[str, ...]:
        """`browsers = ["chromium", "firefox", "safari"]` (or `"all"`, alone or in the list): the
        engines' command-line names (any case), de-duplicated, in report order; `default` when
        absent.
        PolicyError for an empty list or an unknown name."""
        if "browsers" not in table:
            return default
        value = table["browsers"]
        line = self.lines.key("browsers", start) or start
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise self.fail(
                line, 'browsers must be a list of engines, e.g. ["chromium", "firefox"], or "all"'
            )
        if not names:
            raise self.fail(line, "browsers is empty")
        for name in names:
            if name.lower() not in (*ENGINES, "all"):
                close = [ALIASES[name.lower()]] if name.lower() in ALIASES else []
                close = close or difflib.get_close_matches(name.lower(), [*ENGINES, "all"], n=1)
                known = ", ".join((*ENGINES, "all"))
                hint = f"did you mean {close[0]!r}?" if close else f"known: {known}"
                raise self.fail(line, f"browsers: unknown engine {name!r} ({hint})")
        lowered = {n.lower() for n in names}
        return tuple(e for e in ENGINES if e in lowered or "all" in lowered)

    def modes(
        self, table: Mapping[str, Any], default: tuple[RequestMode, RedirectMode], start: int | None
    ) -> tuple[RequestMode, RedirectMode]:
        """`mode = "no-cors"` and `redirect = "manual"` (fetch()'s spellings); `default` for
        each one absent. PolicyError, with the closest spelling, for an unknown value."""
        mode = self._choice(table, "mode", RequestMode, start) or default[0]
        redirect = self._choice(table, "redirect", RedirectMode, start) or default[1]
        return RequestMode(mode), RedirectMode(redirect)

    def _choice(
        self,
        table: Mapping[str, Any],
        key: str,
        choices: type[RequestMode] | type[RedirectMode],
        start: int | None,
    ) -> str | None:
        line = self.lines.key(key, start) or start
        value = self.string(table, key, line)
        if value is None:
            return None
        known = [c.value for c in choices]
        if value not in known:
            close = difflib.get_close_matches(value.lower(), known, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(known)}"
            raise self.fail(line, f"{key}: unknown value {value!r} ({hint})")
        return value

    def timeout(self, table: Mapping[str, Any], default: float, start: int | None) -> float:
        value = table.get("timeout", default)
        line = self.lines.key("timeout", start) or start
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(line, "timeout must be a number of seconds")
        try:
            return check_timeout(float(value))
        except (UsageError, OverflowError) as error:
            raise self.fail(line, str(error)) from None

    def unknown(
        self, table: Mapping[str, Any], allowed: frozenset[str], where: str, start: int | None
    ) -> None:
        for key in table:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                raise self.fail(
                    self.lines.key(key, start) or start,
                    f"unknown key {key!r} in {where} (known: {known})",
                )


def _origin(reader: _Reader, text: str, line: int | None) -> Origin:
    from cors_probe.policy.origin import parse_origin
    from cors_probe.policy.url import UrlError

    value = reader.interpolate(text, line)
    try:
        check_length(value, "origin")
    except UsageError as error:
        raise reader.fail(line, str(error)) from None
    parsed = parse_origin(value)
    if isinstance(parsed, UrlError):
        raise reader.fail(line, f"bad origin {text!r}: {parsed.reason}")
    return parsed


def _url(
    reader: _Reader, base: str | None, path: str, line: int | None, *, is_base: bool = False
) -> Url:
    from cors_probe.policy.url import UrlError, parse_url

    path = reader.interpolate(path, line)
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", path):
        full = path
    elif is_base:
        raise reader.fail(line, f"bad base_url {path!r}: not an absolute http(s) URL")
    elif base is None:
        raise reader.fail(line, f"path {path!r} is relative but the file has no base_url")
    else:
        full = base.rstrip("/") + "/" + path.lstrip("/")
    try:
        check_length(full, "URL")
    except UsageError as error:
        raise reader.fail(line, str(error)) from None
    parsed = parse_url(full)
    if isinstance(parsed, UrlError) or not parsed.is_http:
        reason = parsed.reason if isinstance(parsed, UrlError) else "not an http(s) URL"
        raise reader.fail(line, f"bad URL {full!r}: {reason}")
    return parsed


def load_document(path: str | None) -> tuple[str, str, dict[str, Any], str]:
    """(the path as named, its text, the policy tables, the key prefix) for FILE or the default."""
    import tomllib

    candidates = [path] if path else [DEFAULT_FILE, "pyproject.toml"]
    for candidate in candidates:
        file = Path(candidate)
        if not file.is_file():
            continue
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise PolicyError(candidate, None, f"cannot read it: {error}") from None
        try:
            document = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            match = re.search(r"line (\d+)", str(error))
            raise PolicyError(
                candidate, int(match.group(1)) if match else None, f"not valid TOML: {error}"
            ) from None
        if file.name == "pyproject.toml":
            policy = document.get("tool", {}).get("cors-probe")
            if policy is None:
                if path:
                    raise PolicyError(candidate, None, "has no [tool.cors-probe] table")
                continue
            if not isinstance(policy, dict):
                raise PolicyError(candidate, None, "[tool.cors-probe] must be a table")
            return candidate, text, policy, "tool.cors-probe."
        return candidate, text, document, ""
    if path:
        what = "is a directory; give a policy file" if Path(path).is_dir() else "no such file"
        raise PolicyError(path, None, what)
    raise UsageError(
        f"no policy file: give one, or create {DEFAULT_FILE} (or [tool.cors-probe] in "
        "pyproject.toml) in this directory"
    )


def load_policy(path: str | None, env: Mapping[str, str] | None = None) -> PolicyFile:
    named, text, document, prefix = load_document(path)
    reader = _Reader(named, text, prefix, os.environ if env is None else env)
    lines = reader.lines
    reader.unknown(document, TOP_KEYS, "the policy file", lines.top())

    base: str | None = None
    if "base_url" in document:
        line = lines.key("base_url", lines.top())
        raw = reader.string(document, "base_url", line)
        if raw is not None:
            base = _url(reader, None, raw, line, is_base=True).serialise()

    defaults = document.get("defaults", {})
    start = lines.table("defaults")
    if not isinstance(defaults, dict):
        raise reader.fail(lines.key("defaults", lines.top()), "defaults must be a table")
    reader.unknown(defaults, DEFAULT_KEYS, "[defaults]", start)
    default_headers = reader.headers(defaults, start)
    default_credentials = reader.boolean(defaults, "credentials", False, start)
    default_timeout = reader.timeout(defaults, 10.0, start)
    default_origin = reader.string(defaults, "origin", lines.key("origin", start))
    default_method = reader.string(defaults, "method", lines.key("method", start)) or "GET"
    default_browsers = reader.browsers(defaults, DEFAULT_ENGINES, start)
    default_modes = reader.modes(defaults, (RequestMode.CORS, RedirectMode.FOLLOW), start)

    origins_table = document.get("origins", {})
    start = lines.table("origins")
    if not isinstance(origins_table, dict):
        raise reader.fail(
            lines.key("origins", lines.top()), "origins must be a table of name = origin"
        )
    origins: dict[str, Origin] = {}
    for name, value in origins_table.items():
        line = lines.key(name, start) or start
        if not isinstance(value, str):
            raise reader.fail(line, f"origin {name!r} must be a string")
        origins[name] = _origin(reader, value, line)

    checks_raw = document.get("check")
    if checks_raw is None or checks_raw == []:
        raise reader.fail(None, "no checks: add at least one [[check]] table")
    if not isinstance(checks_raw, list) or not all(isinstance(c, dict) for c in checks_raw):
        raise reader.fail(
            lines.key("check", lines.top()), "check must be an array of tables, [[check]]"
        )

    checks: list[CheckSpec] = []
    for index, table in enumerate(checks_raw):
        checks += _expand(
            reader,
            table,
            index,
            base,
            origins,
            default_headers,
            default_credentials,
            default_timeout,
            default_origin,
            default_method,
            default_browsers,
            default_modes,
        )
    return PolicyFile(named, tuple(checks), frozenset(reader.secrets))


def _expand(
    reader: _Reader,
    table: dict[str, Any],
    index: int,
    base: str | None,
    origins: dict[str, Origin],
    default_headers: list[tuple[str, str]],
    default_credentials: bool,
    default_timeout: float,
    default_origin: str | None,
    default_method: str,
    default_browsers: tuple[str, ...],
    default_modes: tuple[RequestMode, RedirectMode] = (RequestMode.CORS, RedirectMode.FOLLOW),
) -> list[CheckSpec]:
    """One [[check]] table: paths x origins x methods x engines checks, each engine's next to
    the others' (see `engine_named` for the names)."""
    from cors_probe.policy.grammar import is_token

    start = reader.lines.check(index)
    reader.unknown(table, CHECK_KEYS, f"check #{index + 1}", start)

    def key_line(key: str) -> int | None:
        return reader.lines.key(key, start) or start

    expect = reader.string(table, "expect", key_line("expect"))
    if expect is None:
        raise reader.fail(
            start, 'this check has no expectation: add expect = "allowed" or expect = "blocked"'
        )
    if expect not in EXPECTATIONS:
        raise reader.fail(
            key_line("expect"), f'expect must be "allowed" or "blocked", not {expect!r}'
        )
    codes = {c.value for c in FindingCode}
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("forbid", "require"):
        values = table.get(key, [])
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise reader.fail(key_line(key), f"{key} must be a list of finding codes")
        for value in values:
            if value not in codes:
                close = difflib.get_close_matches(value, sorted(codes), n=1)
                hint = f"did you mean {close[0]!r}?" if close else "see the README's finding codes"
                raise reader.fail(key_line(key), f"{key}: unknown finding code {value!r} ({hint})")
            if value in CACHE_PROBE_CODES:
                raise reader.fail(
                    key_line(key),
                    f"{key}: {value!r} comes from the cache probe of `cors-probe check`, whose "
                    "extra requests `run` does not send: check that URL with `cors-probe check`",
                )
        lists[key] = tuple(values)

    paths = reader.strings(table, "path", "paths", start)
    if paths is None:
        raise reader.fail(start, 'this check has no path: add path = "/..." or paths = [...]')
    origin_names = reader.strings(table, "origin", "origins", start)
    if origin_names is None:
        if default_origin is None:
            raise reader.fail(start, "this check has no origin and [defaults] names none")
        origin_names = [default_origin]
    methods = reader.strings(table, "method", "methods", start) or [default_method]
    for method in methods:
        if not is_token(method):
            raise reader.fail(
                key_line("methods" if "methods" in table else "method"),
                f"{method!r} is not a valid HTTP method",
            )
    resolved: list[tuple[str, Origin]] = []
    for name in origin_names:
        if name in origins:
            resolved.append((name, origins[name]))
        elif "://" in name or name == "null":
            resolved.append((name, _origin(reader, name, key_line("origin"))))
        else:
            known = ", ".join(sorted(origins)) or "none defined"
            raise reader.fail(
                key_line("origins" if "origins" in table else "origin"),
                f"unknown origin {name!r} (known: {known})",
            )
    reflected = FindingCode.ORIGIN_REFLECTED_WITH_CREDENTIALS.value
    for key in ("forbid", "require"):
        if reflected in lists[key] and any(not o.opaque for _, o in resolved):
            raise reader.fail(
                key_line(key),
                f'{key}: {reflected!r} is found by `run` only for origin "null" (an origin the '
                "check sends is the page's own, which a server may well allow): for another "
                "origin only the cache probe of `cors-probe check` finds it; use "
                'origins = ["null"] here, or `cors-probe check` on that URL',
            )
    headers = default_headers + reader.headers(table, start)
    credentials = reader.boolean(table, "credentials", default_credentials, start)
    allow_side_effects = reader.boolean(table, "allow_side_effects", False, start)
    timeout = reader.timeout(table, default_timeout, start)
    body_text = reader.string(table, "body", key_line("body"))
    body = (
        reader.interpolate(body_text, key_line("body"), secret=True).encode() if body_text else None
    )
    name = reader.string(table, "name", key_line("name")) or f"check #{index + 1}"
    engines = reader.browsers(table, default_browsers, start)
    mode, redirect = reader.modes(table, default_modes, start)

    # what the table's checks have in common is made once and shared by them (a table of
    # thousands of paths holds one header list, one name per engine, one address space per
    # origin): only the URL is each check's own
    shared_headers = Headers(tuple(headers))
    # the page's address space as `check` finds it offline (gates.page_space)
    spaces = {id(origin): page_space(origin, None, None) for _, origin in resolved}
    names = {engine: engine_named(name, engine, engines) for engine in engines}
    path_line = key_line("paths" if "paths" in table else "path")
    checks = []
    for path, (origin_name, origin), method, engine in product(paths, resolved, methods, engines):
        url = _url(reader, base, path, path_line)
        space, assumed = spaces[id(origin)]
        checks.append(
            CheckSpec(
                name=names[engine],
                line=start or 1,
                shape=RequestShape(
                    url=url.serialise(),
                    parsed_url=url,
                    origin=origin,
                    method=method,
                    headers=shared_headers,
                    credentials=credentials,
                    body=body,
                    mode=mode,
                    redirect=redirect,
                    page_address_space=space,
                    page_address_space_assumed=assumed,
                ),
                origin_name=origin_name,
                expect=expect,
                forbid=lists["forbid"],
                require=lists["require"],
                allow_side_effects=allow_side_effects,
                timeout=timeout,
                browser=BY_OPTION[engine].name,
            )
        )
    return checks
