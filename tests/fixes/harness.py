"""Proof that a `cors-probe fix` snippet works on the real server: the harness every family's
live test (test_webservers.py, test_node.py, test_python.py) drives.

    verify(case, start, run_cli)

1. the server runs in the broken configuration (`case.broken`, one of the classic mistakes);
   `cors-probe fix URL -o TRUSTED... <case.args> --server S -f json` must say blocked for the
   first trusted origin and give one snippet;
2. the same server runs with that snippet applied in place of the broken configuration
   (`start(Applied(...))`): `cors-probe check` from every trusted origin must say allowed, with no
   warning the broken configuration did not already have, and from an untrusted origin blocked.

`start` is the family's: it takes a Broken or an Applied configuration, starts the real server on
a free 127.0.0.1 port and yields its base URL (`http://127.0.0.1:PORT`), stopping it by its PID.
Nothing here comes from cors_probe: the snippet reaches the server only as the CLI printed it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.conftest import CliResult

TRUSTED = "https://app.example.com"
"""The page origin every case allows (the first of `Case.origins`)."""
SECOND = "https://admin.example.com"
"""A second trusted origin, for cases that build an allow-list of two."""
UNTRUSTED = "https://evil.example.net"
"""An origin no snippet may allow."""

JSON_PUT = ("-X", "PUT", "-H", "Content-Type: application/json", "--data", "{}", "--yes")
"""A PUT with a JSON body: preflighted for its method and its Content-Type."""
API_KEY_GET = ("-H", "X-Api-Key: k1")
"""A GET with a non-safelisted header: preflighted for the header."""


@dataclass(frozen=True)
class Broken:
    """A broken configuration of the server, by name (the family's own table of them)."""

    name: str


@dataclass(frozen=True)
class Applied:
    """The configuration cors-probe wrote, as its JSON's `fixes[0]` gave it."""

    snippet: str
    snippet_http: str | None = None


Config = Broken | Applied
Start = Callable[[Config], contextlib.AbstractContextManager[str]]
Run = Callable[..., CliResult]


@dataclass(frozen=True)
class Case:
    """One classic mistake on one server, and the request it breaks."""

    server: str
    """The `--server` name."""
    broken: str
    """The broken configuration's name (what `start(Broken(name))` runs)."""
    path: str = "/api/items/1"
    """The checked URL's path."""
    args: tuple[str, ...] = JSON_PUT
    """The check's options besides the URL and the origins."""
    origins: tuple[str, ...] = (TRUSTED,)
    """The allow-list: each given as `--origin` to `fix`, each checked after."""
    credentials: bool = False
    allowed_warnings: frozenset[str] = field(default_factory=frozenset)
    """Warning codes the fixed server may still show beyond the broken one's (say why)."""

    @property
    def id(self) -> str:
        return f"{self.server}/{self.broken}"


def _args(case: Case) -> tuple[str, ...]:
    return (*case.args, *(("--credentials",) if case.credentials else ()))


def _json(result: CliResult, what: str) -> Any:
    result.assert_no_traceback()
    assert result.returncode in (0, 1), f"{what}: exit {result.returncode}: {result.stderr}"
    return result.json()


def _warnings(document: Any) -> set[str]:
    return {f["code"] for f in document["findings"] if f["severity"] == "warning"}


def fix_snippet(case: Case, base: str, run_cli: Run) -> tuple[Applied, Any]:
    """`cors-probe fix` against the broken server: the snippet it wrote and its whole JSON."""
    origins = [arg for origin in case.origins for arg in ("--origin", origin)]
    url = base + case.path
    result = run_cli("fix", url, *origins, *_args(case), "--server", case.server, "-f", "json")
    document = _json(result, f"fix {case.id}")
    fixes = document["fixes"]
    assert [f["server"] for f in fixes] == [case.server], fixes
    return Applied(fixes[0]["snippet"], fixes[0]["snippet_http"]), document


def check(case: Case, base: str, origin: str, run_cli: Run) -> Any:
    """`cors-probe check -f json` of the case's request from `origin`."""
    url = base + case.path
    return _json(run_cli("check", url, "-o", origin, *_args(case), "-f", "json"), case.id)


def verify(case: Case, start: Start, run_cli: Run) -> Applied:
    """The whole proof for one case (see the module's docstring); returns the applied snippet
    so a caller can hand it on (to Chromium, say)."""
    with start(Broken(case.broken)) as base:
        applied, before = fix_snippet(case, base, run_cli)
    assert before["verdict"] == "blocked", f"{case.id} is not broken: {before['verdict']}"
    with start(applied) as base:
        for origin in case.origins:
            after = check(case, base, origin, run_cli)
            assert after["verdict"] == "allowed", (case.id, origin, after["findings"], applied)
            new = _warnings(after) - _warnings(before) - case.allowed_warnings
            assert not new, f"{case.id}: new warnings {new} with {applied}"
        other = check(case, base, UNTRUSTED, run_cli)
        assert other["verdict"] == "blocked", (case.id, "untrusted allowed", applied)
    return applied
