"""`run --format json` reports each check exactly as `check --format json --no-cache-probe`
reports the same request: the same conversation, the same JSON, timings aside. Both CLI
processes against one real server on 127.0.0.1."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import CliResult
from tests.servers import Received, Reply, ScriptedServer

PAGE = "http://localhost:3000"
ALLOW = [("Access-Control-Allow-Origin", PAGE), ("Vary", "Origin")]
TIMINGS = {"duration_ms", "elapsed_ms", "seconds", "preflight_ms"}
Run = Callable[..., CliResult]


def _redirect(to: str) -> Callable[[Received], Reply]:
    return lambda _: Reply(307, [("Location", to), *ALLOW])


def _serve(server: ScriptedServer) -> None:
    server.route("/allowed", Reply(200, ALLOW, b'{"ok": true}'))
    server.route("/preflight", options=Reply(204), get=Reply(200, ALLOW))
    server.route("/redirect", _redirect("/hop"))
    server.route("/hop", _redirect("/allowed"))
    server.route("/wildcard", Reply(200, [("Access-Control-Allow-Origin", "*")]))
    server.route(
        "/put",
        options=Reply(
            204, [*ALLOW, ("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Max-Age", "60")]
        ),
        put=Reply(200, ALLOW),
    )


# (id, path, method, headers, credentials, what the policy file expects)
CHECKS = [
    ("allowed", "/allowed", "GET", (), False, "allowed"),
    ("blocked-preflight", "/preflight", "GET", ("X-Trace: 1",), False, "blocked"),
    ("redirects", "/redirect", "GET", (), False, "allowed"),
    ("credentials", "/wildcard", "GET", (), True, "blocked"),
    ("side-effects", "/put", "PUT", (), False, "allowed"),
    ("unreachable", "unreachable", "GET", (), False, "allowed"),
]


def _untimed(value: Any) -> Any:
    """A JSON report without its measured times (keys in TIMINGS, "took 3 ms" in words)."""
    if isinstance(value, dict):
        return {k: _untimed(v) for k, v in value.items() if k not in TIMINGS}
    if isinstance(value, list):
        return [_untimed(v) for v in value]
    if isinstance(value, str):
        return re.sub(r"took \d+ ms", "took N ms", value)
    return value


def _policy(folder: Path, urls: dict[str, str]) -> Path:
    tables = []
    for name, _, method, headers, credentials, expect in CHECKS:
        listed = ", ".join(f'"{h}"' for h in headers)
        tables.append(
            f'[[check]]\nname = "{name}"\npath = "{urls[name]}"\norigin = "page"\n'
            f'method = "{method}"\nheaders = [{listed}]\n'
            f"credentials = {'true' if credentials else 'false'}\n"
            f'allow_side_effects = true\nexpect = "{expect}"\ntimeout = 3\n'
        )
    policy = folder / "cors-probe.toml"
    policy.write_text(f'[origins]\npage = "{PAGE}"\n\n' + "\n".join(tables))
    return policy


def test_run_reports_each_check_as_check_does(
    run_cli: Run, server: ScriptedServer, tmp_path: Path
) -> None:
    _serve(server)
    with ScriptedServer().start() as gone:
        closed = gone.url("/gone")  # its port is closed once the block ends
    urls = {c[0]: closed if c[1] == "unreachable" else server.url(c[1]) for c in CHECKS}
    ran = run_cli("run", str(_policy(tmp_path, urls)), "--format", "json", cwd=tmp_path)
    ran.assert_no_traceback()
    entries = {entry["name"]: entry for entry in ran.json()["checks"]}
    assert list(entries) == [c[0] for c in CHECKS]
    for name, _, method, headers, credentials, _ in CHECKS:
        options = ["--origin", PAGE, "-X", method, "--timeout", "3", "--yes"]
        options += [part for header in headers for part in ("-H", header)]
        options += ["--credentials"] if credentials else []
        checked = run_cli("check", urls[name], *options, "--format", "json", "--no-cache-probe")
        checked.assert_no_traceback()
        assert _untimed(entries[name]["report"]) == _untimed(checked.json()), name
    statuses = {name: entry["status"] for name, entry in entries.items()}
    assert statuses == dict.fromkeys([c[0] for c in CHECKS[:-1]], "passed") | {
        "unreachable": "unreachable"
    }
