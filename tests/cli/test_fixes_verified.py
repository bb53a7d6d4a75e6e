"""Every header fix cors-probe offers works: `--assume-header` with the fix lifts the finding.

For each finding code that `explain.fixes.FIXERS` can give a header fix for, a failing case is
scripted on a real loopback server, `cors-probe check -f json` names the finding and its
`header_fixes`, and `cors-probe check --assume-header '<fix>'` (each fix in its own
`[stage URL]` form) no longer reports that finding at that severity. A code given a fixer
without a row here fails `test_every_code_with_a_header_fix_has_a_row`.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from cors_probe.explain.fixes import FIXERS
from tests.conftest import CliResult, _clean_env
from tests.servers import Reply, ScriptedServer

Run = Callable[..., CliResult]
PAGE = "http://localhost:3000"
ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"
MAX_AGE = "Access-Control-Max-Age"
SEVERITY = {"info": 0, "warning": 1, "error": 2}

Script = Callable[[ScriptedServer, ScriptedServer], str]
"""Routes the two servers (the API, another origin for redirects); returns the URL to check."""


@dataclass(frozen=True)
class Case:
    code: str
    name: str
    script: Script
    args: tuple[str, ...] = ()
    expected: tuple[tuple[str, str, str], ...] = field(default=())
    """(stage, header name, value) of each fix, when the value is worth pinning."""


def _get(headers: list[tuple[str, str]], status: int = 200, body: bytes = b"") -> Script:
    def script(api: ScriptedServer, _: ScriptedServer) -> str:
        api.route("/r", get=Reply(status, headers, body=body))
        return api.url("/r")

    return script


def _put(preflight: list[tuple[str, str]], actual: list[tuple[str, str]] | None = None) -> Script:
    def script(api: ScriptedServer, _: ScriptedServer) -> str:
        api.route(
            "/r",
            options=Reply(204, preflight),
            put=Reply(200, actual if actual is not None else [(ACAO, "*")]),
        )
        return api.url("/r")

    return script


def _tainted(
    hop_headers: list[tuple[str, str]], first: list[tuple[str, str]] | None = None
) -> Script:
    """The issue's case: a 307 (ACAO *) to another origin, whose answer lacks what a `null`
    origin needs, then a 302 on to a resource that allows anyone."""

    def script(api: ScriptedServer, other: ScriptedServer) -> str:
        allows = first if first is not None else [(ACAO, "*")]
        api.route("/start", get=Reply(307, [*allows, ("Location", other.url("/next"))]))
        other.route("/next", get=Reply(302, [*hop_headers, ("Location", other.url("/final"))]))
        other.route("/final", get=Reply(200, [(ACAO, "*")]))
        return api.url("/start")

    return script


PUT = ("-X", "PUT", "--yes")
CREDENTIALS = ("--credentials",)
CASES = [
    Case("acao-missing", "preflight", _put([(ACAM, "PUT")]), PUT, (("preflight", ACAO, PAGE),)),
    Case("acao-missing", "actual", _get([]), (), (("actual", ACAO, PAGE),)),
    Case(
        "acao-missing",
        "actual-credentialed",
        _get([]),
        CREDENTIALS,
        (("actual", ACAO, PAGE), ("actual", ACAC, "true")),
    ),
    Case("acao-missing", "after-cross-origin-redirect", _tainted([]), (), (("actual", ACAO, "*"),)),
    Case(
        "acao-mismatch", "trailing-slash", _get([(ACAO, PAGE + "/")]), (), (("actual", ACAO, PAGE),)
    ),
    Case(
        "acao-mismatch",
        "page-origin-after-cross-origin-redirect",
        _tainted([(ACAO, PAGE)]),
        (),
        (("actual", ACAO, "*"),),
    ),
    Case("acao-multiple", "two-lines", _get([(ACAO, PAGE), (ACAO, "http://other.test")])),
    Case("acao-multiple", "comma-list", _get([(ACAO, f"{PAGE}, http://other.test")])),
    Case("acao-invalid", "quoted", _get([(ACAO, f'"{PAGE}"')])),
    Case(
        "wildcard-with-credentials",
        "actual",
        _get([(ACAO, "*"), (ACAC, "true")]),
        CREDENTIALS,
        (("actual", ACAO, PAGE), ("actual", ACAC, "true")),
    ),
    Case(
        "error-status-without-cors",
        "500",
        _get([], 500, b'{"error": "boom"}'),
        (),
        (("actual", ACAO, PAGE),),
    ),
    Case("acac-not-true", "absent", _get([(ACAO, PAGE)]), CREDENTIALS, (("actual", ACAC, "true"),)),
    Case("acac-not-true", "upper-case", _get([(ACAO, PAGE), (ACAC, "True")]), CREDENTIALS),
    Case(
        "method-not-allowed",
        "put",
        _put([(ACAO, "*"), (ACAM, "GET")]),
        PUT,
        (("preflight", ACAM, "PUT"),),
    ),
    Case(
        "method-not-allowed",
        "patch-lower-case",
        _put([(ACAO, "*"), (ACAM, "PATCH")]),
        ("-X", "patch", "--yes"),
        (("preflight", ACAM, "patch"),),
    ),
    Case("acam-unparsable", "not-a-token", _put([(ACAO, "*"), (ACAM, "GET, (PUT)")]), PUT),
    Case(
        "header-not-allowed",
        "two-missing",
        _put([(ACAO, "*"), (ACAM, "PUT"), (ACAH, "x-a")]),
        (*PUT, "-H", "X-A: 1", "-H", "X-B: 2"),
        (("preflight", ACAH, "x-a, x-b"),),
    ),
    Case(
        "acah-unparsable",
        "not-a-token",
        _put([(ACAO, "*"), (ACAM, "PUT"), (ACAH, "x-a, (x-b)")]),
        (*PUT, "-H", "X-A: 1"),
    ),
    Case(
        "authorization-wildcard",
        "star",
        _put([(ACAO, "*"), (ACAM, "PUT"), (ACAH, "*")]),
        (*PUT, "-H", "Authorization: Bearer abcdefgh"),
        (("preflight", ACAH, "*, Authorization"),),
    ),
    Case(
        "vary-origin-missing",
        "echo",
        _get([(ACAO, PAGE)]),
        (),
        (("actual", "Vary", "Origin"),),
    ),
    Case(
        "vary-origin-missing",
        "vary-accept",
        _get([(ACAO, PAGE), ("Vary", "Accept")]),
        (),
        (("actual", "Vary", "Accept, Origin"),),
    ),
    Case(
        "max-age-missing",
        "preflight",
        _put([(ACAO, "*"), (ACAM, "PUT")]),
        PUT,
        (("preflight", MAX_AGE, "7200"),),
    ),
    Case("max-age-invalid", "words", _put([(ACAO, "*"), (ACAM, "PUT"), (MAX_AGE, "1 day")]), PUT),
    Case("max-age-capped", "a-day", _put([(ACAO, "*"), (ACAM, "PUT"), (MAX_AGE, "86400")]), PUT),
]


def _check(run_cli: Run, url: str, args: tuple[str, ...], *assumed: str) -> dict[str, Any]:
    extra = [a for fix in assumed for a in ("--assume-header", fix)]
    result = run_cli("check", url, "-o", PAGE, *args, *extra, "-f", "json")
    result.assert_no_traceback()
    assert result.returncode in (0, 1), result.stderr
    document: dict[str, Any] = result.json()
    return document


def _worst(document: dict[str, Any], code: str, stage: str, url: str) -> int:
    found = [
        SEVERITY[f["severity"]]
        for f in document["findings"]
        if f["code"] == code and f["stage"] == stage and f["url"] == url
    ]
    return max(found, default=-1)


def test_every_code_with_a_header_fix_has_a_row() -> None:
    assert {str(code) for code in FIXERS} == {case.code for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.code}-{c.name}")
def test_the_fix_offered_lifts_the_finding(
    case: Case, server_factory: Callable[[], ScriptedServer], run_cli: Run
) -> None:
    api, other = server_factory(), server_factory()
    url = case.script(api, other)
    before = _check(run_cli, url, case.args)
    finding = next(f for f in before["findings"] if f["code"] == case.code)
    fixes = finding["header_fixes"]
    assert fixes, finding["fix"]
    if case.expected:
        assert [(f["stage"], f["name"], f["value"]) for f in fixes] == list(case.expected)
    for fix in fixes:  # the words say what the values say
        assert f"{fix['name']}: {fix['value']}" in finding["fix"]
    after = _check(run_cli, url, case.args, *(f["assume"] for f in fixes))
    worst = _worst(after, case.code, finding["stage"], finding["url"])
    assert worst < SEVERITY[finding["severity"]], after["findings"]
    if finding["severity"] == "error":
        assert after["decisive"] != case.code


def test_a_tainted_credentialed_request_gets_no_header_fix(
    server_factory: Callable[[], ScriptedServer], run_cli: Run
) -> None:
    """After a cross-origin redirect the origin is `null`: the page's origin cannot match (the
    fix cors-probe used to offer still blocks), and with credentials no safe header exists."""
    api, other = server_factory(), server_factory()
    url = _tainted([], [(ACAO, PAGE), (ACAC, "true")])(api, other)
    before = _check(run_cli, url, CREDENTIALS)
    finding = next(f for f in before["findings"] if f["code"] == "acao-missing")
    assert finding["detail"]["request_origin"] == "null"
    assert finding["header_fixes"] == []
    assert "call the final URL directly" in finding["fix"]
    assert PAGE not in finding["fix"]
    old_fix = f"[actual {other.url('/next')}] {ACAO}: {PAGE}"
    after = _check(
        run_cli, url, CREDENTIALS, old_fix, f"[actual {other.url('/next')}] {ACAC}: true"
    )
    assert after["verdict"] == "blocked"
    assert after["decisive"] == "acao-mismatch"


def test_a_check_it_line_copied_from_a_narrow_terminal_fixes_the_check(
    server: ScriptedServer, run_cli: Callable[..., CliResult]
) -> None:
    """At 60 columns the explanations wrap, but each `Check it:` line stays whole, so that
    copying it back onto the command line runs the what-if it promises."""
    server.route("/items/1", options=Reply(204, [("Access-Control-Allow-Methods", "PUT")]))
    url = server.url("/items/1?sig=x&page=2")
    args = ["check", "--no-cache-probe", url, "-o", "http://localhost:3000", "-X", "PUT"]
    narrow = {**_clean_env(), "COLUMNS": "60"}
    out = run_cli(*args, env=narrow).stdout
    (line,) = [x for x in out.splitlines() if "Check it: " in x]
    copied = shlex.split(line.split("Check it: ", 1)[1])
    assert len(line) > 60
    fixed = run_cli(*args, *copied, "-f", "json")
    assert fixed.json()["decisive"] != "acao-missing", fixed.stdout


@pytest.mark.parametrize(
    ("selector", "warned"),
    [
        ("[preflight {url}]", False),
        ("[{url}]", False),
        ("[preflight {url}?page=2]", True),  # the query string differs
        ("[actual {url}]", True),  # the actual request was never answered
        ("[preflight]", False),  # no URL: nothing to miss
    ],
)
def test_an_assumption_for_a_url_no_response_came_from_is_told(
    selector: str, warned: bool, server: ScriptedServer, run_cli: Callable[..., CliResult]
) -> None:
    server.route("/items/1", options=Reply(204, [("Access-Control-Allow-Methods", "PUT")]))
    url = server.url("/items/1")
    assumption = f"{selector.format(url=url)} Access-Control-Allow-Origin: http://localhost:3000"
    result = run_cli(
        "check", "--no-cache-probe", url, "-o", PAGE, "-X", "PUT", "--assume-header", assumption
    )
    result.assert_no_traceback()
    assert ("changed nothing" in result.stderr) is warned, result.stderr
    # applied: the preflight passes and the PUT waits for --yes (4); not applied: blocked (1)
    assert result.returncode == (1 if warned else 4)
