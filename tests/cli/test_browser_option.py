"""`check --browser` and `--user-agent`, as a user runs them, against a real server on loopback."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cors_probe.policy.browsers import CHROMIUM, FIREFOX, WEBKIT
from tests.conftest import CliResult
from tests.servers import Received, Reply, ScriptedServer

Run = Callable[..., CliResult]
PAGE = "http://localhost:3000"
ANY = [("Access-Control-Allow-Origin", "*")]


def client_hint_server(server: ScriptedServer) -> str:
    """GET allowed to anyone; OPTIONS not handled (405, no CORS headers)."""
    server.route("/hint", get=Reply(200, ANY), options=Reply(405))
    return server.url("/hint")


@pytest.mark.parametrize(
    ("browser", "exit_code", "verdict", "methods", "agent"),
    [
        ("chromium", 0, "allowed", ["GET"], CHROMIUM.user_agent),
        ("firefox", 1, "blocked", ["OPTIONS"], FIREFOX.user_agent),
        ("safari", 1, "blocked", ["OPTIONS"], WEBKIT.user_agent),
    ],
)
def test_one_engine_gives_its_own_verdict_and_requests(
    browser: str,
    exit_code: int,
    verdict: str,
    methods: list[str],
    agent: str,
    server: ScriptedServer,
    run_cli: Run,
) -> None:
    url = client_hint_server(server)
    result = run_cli(
        "check",
        "--no-cache-probe",
        url,
        "-o",
        PAGE,
        "-H",
        "DPR: 2",
        "--browser",
        browser,
        "-f",
        "json",
    )
    result.assert_no_traceback()
    assert result.returncode == exit_code, result.stderr
    document = result.json()
    assert document["verdict"] == verdict
    assert document["preflight"]["required"] is (browser != "chromium")
    assert [r.method for r in server.received] == methods
    assert {r.header("User-Agent") for r in server.received} == {agent}
    assert server.received[0].header("Referer") == PAGE + "/"
    if verdict == "blocked":
        decisive = next(f for f in document["findings"] if f["severity"] == "error")
        lines = decisive["console"][document["browser"]]
        assert lines
        assert lines[0] == decisive["browser"][document["browser"]]
    else:  # the others would preflight the hint; the report says so
        assert {c["browser"] for c in document["contrasts"]} == {"firefox", "safari"}
        assert all(c["unsent"]["method"] == "OPTIONS" for c in document["contrasts"])


def test_all_engines_side_by_side_with_the_rule_that_splits_them(
    server: ScriptedServer, run_cli: Run
) -> None:
    url = client_hint_server(server)
    result = run_cli(
        "check", "--no-cache-probe", url, "-o", PAGE, "-H", "DPR: 2", "-b", "all", "-f", "json"
    )
    assert result.returncode == 1  # any engine blocking
    document = result.json()
    assert document["verdicts"] == {"chrome": "allowed", "firefox": "blocked", "safari": "blocked"}
    assert set(document["browsers"]) == {"firefox", "safari"}
    assert document["browsers"]["firefox"]["decisive"] == "acao-missing"
    assert document["browsers"]["safari"]["decisive"] == "preflight-not-ok"
    assert [s["browsers"] for s in document["splits"]] == [
        ["chrome", "firefox"],
        ["chrome", "safari"],
    ]
    assert all("DPR" in s["reason"] for s in document["splits"])
    assert sorted(r.method for r in server.received) == ["GET", "OPTIONS", "OPTIONS"]
    text = run_cli("check", url, "-o", PAGE, "-H", "DPR: 2", "-b", "all")
    assert text.stdout.splitlines()[0] == "Chrome: allowed · Firefox: blocked · Safari: blocked"


def _isolating(request: Received) -> Reply:
    """A Fetch Metadata resource-isolation policy in front of a correct CORS layer."""
    if request.header("Sec-Fetch-Site") == "cross-site" and (
        request.header("Sec-Fetch-Mode") != "navigate"
    ):
        return Reply(403, [("Content-Type", "text/plain")], body=b"refused")
    return Reply(200, [("Access-Control-Allow-Origin", PAGE)])


@pytest.mark.parametrize("browser", ["chromium", "firefox", "safari"])
def test_a_fetch_metadata_policy_refuses_cors_probe_as_it_refuses_the_engine(
    browser: str, server: ScriptedServer, run_cli: Run
) -> None:
    server.route("/isolated", _isolating)
    url = f"http://localhost:{server.port}/isolated"
    result = run_cli("check", url, "-o", "http://127.0.0.1:3000", "-b", browser, "-f", "json")
    assert result.returncode == 1
    document = result.json()
    assert document["decisive"] == "acao-missing"
    refusal = next(f for f in document["findings"] if f["code"] == "fetch-metadata-refusal")
    assert refusal["value"] == "cross-site"
    assert "isolation policy" in refusal["fix"]
    assert server.received[0].header("Sec-Fetch-Site") == "cross-site"
    same_site = run_cli("check", url, "-o", "http://localhost:3000", "-b", browser, "-f", "json")
    assert same_site.returncode == 0, same_site.stdout
    assert "fetch-metadata-refusal" not in same_site.stdout
    assert server.received[-1].header("Sec-Fetch-Site") == "same-site"


def test_user_agent_replaces_the_engines_own(server: ScriptedServer, run_cli: Run) -> None:
    url = client_hint_server(server)
    result = run_cli("check", url, "-o", PAGE, "--user-agent", "probe/1 (+ci)", "-f", "json")
    assert result.returncode == 0
    assert server.received[0].header("User-Agent") == "probe/1 (+ci)"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--browser", "opera"], "--browser"),
        (["--user-agent", ""], "--user-agent"),
        (["--user-agent", "a\x01b"], "--user-agent"),
    ],
)
def test_a_bad_engine_or_user_agent_is_one_line_and_exit_2(
    arguments: list[str], message: str, server: ScriptedServer, run_cli: Run
) -> None:
    result = run_cli("check", server.url("/x"), "-o", PAGE, *arguments)
    result.assert_no_traceback()
    assert result.returncode == 2
    assert message in result.stderr
    assert server.received == []
