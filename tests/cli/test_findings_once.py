"""Each finding is told once per engine: a fact the preflight and the actual response share (no
`Vary: Origin`, `*` with Allow-Credentials) once per URL, Local Network Access once per server
address, in the JSON and in the text report, for every engine section of `--browser all`."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence

import pytest

from tests.conftest import CliResult
from tests.servers import Reply, ScriptedServer

PAGE = "https://app.example"
PUT = ["-X", "PUT", "-H", "Content-Type: application/json", "-d", "{}"]
ALLOW = [("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Allow-Headers", "content-type")]
NO_VARY = [("Access-Control-Allow-Origin", PAGE), *ALLOW]
WILDCARD_ACAC = [
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Allow-Credentials", "true"),
    *ALLOW,
]
GOOD = [("Access-Control-Allow-Origin", PAGE), ("Vary", "Origin"), *ALLOW]

# (row, answers on both /p and /r, request options, path, codes that must each appear)
ROWS: Sequence[tuple[str, list[tuple[str, str]], list[str], str, set[str]]] = (
    ("no-vary-put", NO_VARY, PUT, "/p", {"vary-origin-missing", "local-network-access"}),
    ("no-vary-put-redirected", NO_VARY, PUT, "/r", {"vary-origin-missing"}),
    ("no-vary-get", NO_VARY, [], "/p", {"vary-origin-missing"}),
    ("wildcard-acac-put", WILDCARD_ACAC, PUT, "/p", {"wildcard-with-acac"}),
    ("wildcard-acac-put-redirected", WILDCARD_ACAC, PUT, "/r", {"wildcard-with-acac"}),
    ("wildcard-acac-get-redirected", WILDCARD_ACAC, [], "/r", {"wildcard-with-acac"}),
    ("local-network-redirected", GOOD, PUT, "/r", {"local-network-access"}),
)
FINDING_LINE = re.compile(r"^  (error|warning|info)\s+([a-z-]+)  ")


def _sections(text: str) -> dict[str, list[str]]:
    """The text report's finding codes per engine section (`── Chrome ──` ...)."""
    sections: dict[str, list[str]] = {}
    current = ""
    for line in text.splitlines():
        heading = re.match(r"^── (\w+) ──", line)
        if heading:
            current = heading.group(1).lower()
            sections[current] = []
        elif current and (found := FINDING_LINE.match(line)):
            sections[current].append(found.group(2))
    return sections


@pytest.mark.parametrize(
    ("answers", "options", "path", "expected"),
    [row[1:] for row in ROWS],
    ids=[row[0] for row in ROWS],
)
def test_each_finding_is_told_once_per_engine(
    server: ScriptedServer,
    run_cli: Callable[..., CliResult],
    answers: list[tuple[str, str]],
    options: list[str],
    path: str,
    expected: set[str],
) -> None:
    server.route("/p", Reply(200, answers), options=Reply(204, answers))
    redirect = Reply(307, [*answers, ("Location", server.url("/p"))])
    server.route("/r", redirect, options=Reply(204, answers))
    common = ["check", server.url(path), "--origin", PAGE, *options, "--yes", "--no-cache-probe"]
    common += ["--browser", "all"]
    document = run_cli(*common, "--format", "json").json()
    engines = {document["browser"]: document, **document["browsers"]}
    assert set(engines) == {"chrome", "firefox", "safari"}
    every: set[str] = set()
    told_per_engine: dict[str, Counter[str]] = {}
    for name, engine in engines.items():
        keys = [
            (f["code"], f["detail"]["address"] if f["code"] == "local-network-access" else f["url"])
            for f in engine["findings"]
        ]
        assert len(keys) == len(set(keys)), (name, keys)
        told_per_engine[name] = Counter(code for code, _ in keys)
        every |= {code for code, _ in keys}
    assert expected <= every
    text = run_cli(*common).stdout
    sections = _sections(text)
    assert {"chrome", "firefox", "safari"} <= set(sections), text
    for name, told in told_per_engine.items():
        assert Counter(sections[name]) == told, (name, text)
