"""`cors-probe run --format json` as a subprocess: one document, one check per line in `checks`,
each check's report what `check --format json` says of the same request (timings aside)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.cli.test_simulate import judgement
from tests.conftest import CliResult
from tests.servers import Reply, ScriptedServer

PAGE = "http://app.localhost:3000"
ALLOW = [
    ("Access-Control-Allow-Origin", PAGE),
    ("Access-Control-Allow-Methods", "PUT"),
    ("Access-Control-Allow-Headers", "content-type"),
    ("Vary", "Origin"),
]


def test_the_run_document_has_one_check_per_line_each_as_check_reports_it(
    run_cli: Callable[..., CliResult], server: ScriptedServer, tmp_path: Path
) -> None:
    server.route("/ok/*", options=Reply(204, ALLOW), any=Reply(200, ALLOW, b"{}"))
    server.route("/no/*", any=Reply(200, [("Content-Type", "text/plain")], b"no"))
    paths = ["/ok/1", "/ok/2", "/no/1", "/ok/3\u00e9"]
    (tmp_path / "cors-probe.toml").write_text(
        f'base_url = "{server.base_url}"\n'
        f'[origins]\napp = "{PAGE}"\n'
        f'[[check]]\nname = "put"\npaths = {json.dumps(paths)}\norigin = "app"\n'
        'method = "PUT"\nheaders = ["Content-Type: application/json"]\nbody = "{}"\n'
        'allow_side_effects = true\nexpect = "allowed"\n',
        encoding="utf-8",
    )
    result = run_cli("run", "--format", "json", "--jobs", "3", cwd=tmp_path)
    result.assert_no_traceback()
    assert result.returncode == 1  # /no/1 is blocked
    document = result.json()
    lines = result.stdout.splitlines()
    start = lines.index('  "checks": [')
    entries = lines[start + 1 : lines.index("  ],", start)]
    assert len(entries) == len(paths) == len(document["checks"])
    assert [json.loads(e.strip().removesuffix(",")) for e in entries] == document["checks"]
    assert [c["status"] for c in document["checks"]] == ["passed", "passed", "failed", "passed"]
    url = document["checks"][3]["url"]
    assert url.endswith("/ok/3%C3%A9")
    alone = run_cli(
        "check", url, "--origin", PAGE, "-X", "PUT", "-H", "Content-Type: application/json",
        "--data", "{}", "--yes", "--no-cache-probe", "--format", "json",
    )  # fmt: skip
    assert alone.returncode == 0, alone.stderr
    assert judgement(document["checks"][3]["report"]) == judgement(alone.json())
