"""A live `check` imports only what a check needs: start-up is most of a single check's cost.

Each test runs `cors-probe check` in a fresh interpreter against a scripted server on 127.0.0.1
and lists the modules it left in `sys.modules`. The page is on localhost (as in the benchmark),
whose address space needs no look-up. The assumptions, the demo, the baseline, the simulator,
the XML escaper and the thread pool of the host-name resolver are imported only by the paths that
use them; the tests beside each of those paths (--assume-header, demo, --baseline, secrets in
XML, host names) prove that those paths still work when they import late.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.servers import Reply, ScriptedServer

PAGE = "http://localhost:3000"

NOT_ON_THE_CHECK_PATH = (
    "concurrent.futures",
    "cors_probe.inputs.assume",
    "cors_probe.inputs.capture",
    "cors_probe.inputs.curl",
    "cors_probe.inputs.fetch_js",
    "cors_probe.inputs.powershell",
    "cors_probe.inputs.shell_words",
    "cors_probe.inputs.syntax",
    "cors_probe.policy.capture",
    "mslex",
    "tree_sitter",
    "tree_sitter_bash",
    "tree_sitter_javascript",
    "tree_sitter_powershell",
    "cors_probe.usecases.assume",
    "cors_probe.usecases.baseline",
    "cors_probe.usecases.demo",
    "cors_probe.usecases.simulate",
    "xml.sax",
    "xml.sax.saxutils",
    # `cors-probe har`'s reader, its schema validator, its use case and its output
    "cors_probe.inputs.har",
    "cors_probe.render.har",
    "cors_probe.usecases.har",
    "jsonschema",
)

_SCRIPT = """
import contextlib, io, json, sys
from cors_probe.cli.app import main
with contextlib.redirect_stdout(io.StringIO()):
    main(sys.argv[1:])
print(json.dumps(sorted(sys.modules)))
"""


def _modules_after(*args: str) -> set[str]:
    """The names in `sys.modules` after `cors-probe ARGS` ran in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT, *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return set(json.loads(result.stdout.splitlines()[-1]))


@pytest.mark.parametrize("output_format", ["json", "text"])
def test_a_check_does_not_import_what_it_does_not_use(
    output_format: str, server: ScriptedServer
) -> None:
    server.route("/p", put=Reply(200, [("Access-Control-Allow-Origin", PAGE)]))
    url = server.url("/p")
    assert url.startswith("http://127.0.0.1:")
    args = ["check", url, "--origin", PAGE, "-X", "PUT", "-d", "{}", "--yes"]
    loaded = _modules_after(
        *args, "-H", "Content-Type: application/json", "--format", output_format
    )
    assert "cors_probe.probe.client" in loaded  # the check did run
    assert loaded.isdisjoint(NOT_ON_THE_CHECK_PATH), sorted(loaded & set(NOT_ON_THE_CHECK_PATH))


@pytest.mark.parametrize(
    ("option", "text", "parsers"),
    [
        (
            "--from-curl",
            "curl '{url}' -H 'Origin: {page}'",
            {"tree_sitter_bash", "cors_probe.inputs.curl"},
        ),
        ("--from-fetch", 'fetch("{url}", {{"referrer": "{page}/"}});', {"tree_sitter_javascript"}),
    ],
)
def test_a_capture_imports_its_parser_only(
    option: str, text: str, parsers: set[str], server: ScriptedServer
) -> None:
    server.route("/p", get=Reply(200, [("Access-Control-Allow-Origin", PAGE)]))
    args = ["check", option, text.format(url=server.url("/p"), page=PAGE), "--format", "json"]
    loaded = _modules_after(*args)
    assert parsers <= loaded
    assert "tree_sitter_powershell" not in loaded


def test_an_assumed_header_imports_the_assumptions_and_the_simulator(
    server: ScriptedServer,
) -> None:
    server.route("/p", get=Reply(200, []))
    args = ["check", server.url("/p"), "--origin", PAGE, "--format", "json"]
    loaded = _modules_after(*args, "--assume-header", f"Access-Control-Allow-Origin: {PAGE}")
    assert {"cors_probe.inputs.assume", "cors_probe.usecases.simulate"} <= loaded


def test_a_host_name_to_look_up_imports_the_thread_pool(server: ScriptedServer) -> None:
    server.route("/p", get=Reply(200, []))
    args = ["check", server.url("/p"), "--origin", "https://app.example", "--format", "json"]
    assert "concurrent.futures" in _modules_after(*args)
