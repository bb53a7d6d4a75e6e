"""The acceptance of #14's capture imports: for every request real engines sent and their
DevTools copied (tests/data/captures/devtools/manifest.json, made by
scripts/capture_devtools.py), `cors-probe check --from-curl @file` (or --from-fetch) gives the
report `cors-probe check {api}{path} <flags>` gives, `derived` aside, and `derived.dropped` names
every captured header the page's script did not set.

Both CLI processes run against the same scripted server on 127.0.0.1, twice: a server that
allows every request (credentials included), and one that sends no CORS header at all (so every
cross-origin read is blocked, at the preflight where there is one). The captured texts name the
capture's API server; its address is replaced by this server's, in the text and in the flags.
A case whose generator leaves something out (`lossy` in the manifest: Copy as fetch drops the
Cookie, writes `include` for an Authorization header, ...) is read and checked, but not compared.
"""

from __future__ import annotations

import json
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cors_probe.inputs.curl import parse_curl
from cors_probe.inputs.fetch_js import parse_fetch
from tests.conftest import _clean_env, cli_command
from tests.servers import Handler, Received, Reply, ScriptedServer

FOLDER = Path(__file__).parents[1] / "data" / "captures" / "devtools"
MANIFEST = FOLDER / "manifest.json"
TIMINGS = {"duration_ms", "elapsed_ms", "seconds", "preflight_ms"}
COMMON = ("--format", "json", "--yes", "--no-cache-probe")

pytestmark = pytest.mark.skipif(not MANIFEST.exists(), reason="no DevTools captures here")


def _manifest() -> dict[str, Any]:
    return json.loads(MANIFEST.read_text(encoding="utf-8")) if MANIFEST.exists() else {"cases": []}


CASES = _manifest()["cases"]


def _allow(received: Received) -> Reply:
    origin = received.header("Origin") or "*"
    headers = [
        ("Access-Control-Allow-Origin", origin),
        ("Access-Control-Allow-Credentials", "true"),
    ]
    if received.method == "OPTIONS":
        method = received.header("Access-Control-Request-Method") or "GET"
        headers.append(("Access-Control-Allow-Methods", method))
        asked = received.header("Access-Control-Request-Headers")
        if asked:
            headers.append(("Access-Control-Allow-Headers", asked))
        return Reply(204, headers)
    return Reply(200, [*headers, ("Vary", "Origin")], b'{"ok": true}')


SERVERS: dict[str, Handler] = {"allows": _allow, "no-cors-headers": Reply(200, [], b'{"ok": true}')}
BLOCKING_VARIANTS = ("curl-bash",)
"""Against the server that blocks, one variant per request and engine: the parse is the same
whatever the server answers, and each CLI process costs about half a second of a 2-core CI."""
PAIRS = [
    (kind, case)
    for kind in SERVERS
    for case in CASES
    if kind == "allows" or case["variant"] in BLOCKING_VARIANTS
]


@dataclass(frozen=True)
class Pair:
    """One case's two reports against one server."""

    derived: subprocess.CompletedProcess[str]
    flags: subprocess.CompletedProcess[str]


def _comparable(document: Any) -> Any:
    """A JSON report without its measured times and its `derived` section."""
    if isinstance(document, dict):
        return {k: _comparable(v) for k, v in document.items() if k not in TIMINGS | {"derived"}}
    if isinstance(document, list):
        return [_comparable(v) for v in document]
    if isinstance(document, str):
        return re.sub(r"took \d+ ms", "took N ms", document)
    return document


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*cli_command(), *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=_clean_env(),
        timeout=120,
        check=False,
    )


def _option(case: dict[str, Any]) -> str:
    return "--from-fetch" if case["variant"] in ("fetch", "node-fetch") else "--from-curl"


@pytest.fixture(name="reports", scope="module")
def _reports(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Pair]:
    """Every case's pair of reports against each server, the CLI processes run 4 at a time;
    the flags' report is made once per distinct request."""
    manifest = _manifest()
    folder = tmp_path_factory.mktemp("captures")
    pairs: dict[tuple[str, str], Pair] = {}
    for kind, handler in SERVERS.items():
        with ScriptedServer().start() as server:
            server.route("/*", handler)
            base = server.url("")
            flagged: dict[str, list[str]] = {}
            files: dict[str, Path] = {}
            cases = [case for each, case in PAIRS if each == kind]
            for case in cases:
                text = (FOLDER / case["file"]).read_text(encoding="utf-8")
                files[case["id"]] = folder / f"{kind}.{case['file']}"
                files[case["id"]].write_text(text.replace(manifest["api"], base), encoding="utf-8")
                flags = [
                    f.replace("{api}", base).replace("{page}", manifest["page"])
                    for f in case["flags"]
                ]
                if _lower_cased(case):
                    after = ["", *flags]
                    flags = [_lower_name(f) if after[i] == "-H" else f for i, f in enumerate(flags)]
                flagged[case["id"]] = [base + case["request"]["path"], *flags]
            with ThreadPoolExecutor(max_workers=4) as pool:
                by_flags = {
                    key: pool.submit(_cli, "check", *json.loads(key), *COMMON)
                    for key in {json.dumps(f) for f in flagged.values()}
                }
                derived = {
                    case["id"]: pool.submit(
                        _cli, "check", _option(case), f"@{files[case['id']]}", *COMMON
                    )
                    for case in cases
                }
                for case in cases:
                    flags_run = by_flags[json.dumps(flagged[case["id"]])].result()
                    pairs[(kind, case["id"])] = Pair(derived[case["id"]].result(), flags_run)
    return pairs


def _lower_cased(case: dict[str, Any]) -> bool:
    """Chromium's Copy as fetch passes the headers through a `Headers` object, which lower-cases
    their names (NetworkLogView.ts generateFetchCall): the equivalent -H flags are lower-cased."""
    return bool(case["engine"] == "chrome" and case["variant"] in ("fetch", "node-fetch"))


def _lower_name(header: str) -> str:
    name, colon, value = header.partition(":")
    return name.lower() + colon + value


def _exact(case: dict[str, Any]) -> bool:
    return not case.get("lossy")


def test_the_captures_cover_the_acceptance() -> None:
    """>= 20 captured requests compared: simple, preflighted, credentialed, with bodies, the
    Windows variants, from both engines."""
    exact = [c for c in CASES if _exact(c)]
    assert len(exact) >= 20
    assert {c["variant"] for c in exact} >= {
        "curl-bash",
        "curl-cmd",
        "powershell",
        "fetch",
        "node-fetch",
    }
    assert {c["engine"] for c in exact} == {"chrome", "firefox"}
    assert any(c["request"]["credentials"] == "include" for c in exact)
    assert any(c["request"]["body"] for c in exact)
    assert any(c["request"]["method"] not in ("GET", "HEAD", "POST") for c in exact)


@pytest.mark.parametrize(("kind", "case"), PAIRS, ids=[f"{c['id']}-{k}" for k, c in PAIRS])
def test_a_capture_gives_the_report_of_its_flags(
    case: dict[str, Any], kind: str, reports: dict[tuple[str, str], Pair]
) -> None:
    pair = reports[(kind, case["id"])]
    assert "Traceback" not in pair.derived.stderr, pair.derived.stderr
    assert pair.derived.returncode != 2, pair.derived.stderr
    document = json.loads(pair.derived.stdout)
    derived = document["derived"]
    assert derived["source"] == {"curl-bash": "curl"}.get(case["variant"], case["variant"])
    assert derived["engine"] == case["engine"]
    if not _exact(case):
        return
    assert pair.derived.returncode == pair.flags.returncode
    assert _comparable(document) == _comparable(json.loads(pair.flags.stdout))
    text = (FOLDER / case["file"]).read_text(encoding="utf-8")
    captured = (parse_fetch if _option(case) == "--from-fetch" else parse_curl)(text)
    scripts = {name.lower() for name, _ in case["request"]["headers"]}
    browser_added = [name for name, _ in captured.headers if name.lower() not in scripts]
    assert [d["name"] for d in derived["dropped"]] == browser_added
