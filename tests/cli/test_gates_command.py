"""`check --local-network` and `--page-address-space`, and mixed content, as a user runs them:
the installed command against a real server on loopback. A gate that blocks sends nothing."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from cors_probe.codes import FindingCode
from tests.conftest import CliResult
from tests.servers import Reply, ScriptedServer

Run = Callable[..., CliResult]
ANY = [("Access-Control-Allow-Origin", "*")]
PUBLIC = ("--page-address-space", "public")
COVERED = frozenset(
    {
        FindingCode.LOCAL_NETWORK_ACCESS,
        FindingCode.LOCAL_NETWORK_DENIED,
        FindingCode.LOCAL_NETWORK_INSECURE_PAGE,
        FindingCode.MIXED_CONTENT,
    }
)
"""The codes these tests cover end to end (test_check_command's inventory counts them)."""

CASES = [
    # name, origin, options, exit code, verdict, decisive, gate, sent
    ("insecure-page", "http://app.example", PUBLIC, 1, "blocked",
     "local-network-insecure-page", "insecure-page", []),
    ("insecure-page-dry-run", "http://app.example", (*PUBLIC, "--dry-run"), 1, "blocked",
     "local-network-insecure-page", "insecure-page", []),
    ("denied", "https://app.example", (*PUBLIC, "--local-network", "denied"), 1, "blocked",
     "local-network-denied", "denied", []),
    ("denied-any-case", "https://app.example", (*PUBLIC, "--local-network", "DENIED"), 1,
     "blocked", "local-network-denied", "denied", []),
    ("granted", "https://app.example", (*PUBLIC, "--local-network", "granted"), 0, "allowed",
     None, "granted", ["GET"]),
    ("prompt-by-default", "https://app.example", PUBLIC, 0, "allowed", None, "prompt", ["GET"]),
    ("loopback-page-no-gate", "http://127.0.0.1:3000", (), 0, "allowed", None, None, ["GET"]),
    ("local-page-told", "http://127.0.0.1:3000", ("--page-address-space", "local"), 0,
     "allowed", None, "prompt", ["GET"]),
    ("opaque-page-no-gate", "null", (), 0, "allowed", None, None, ["GET"]),
    ("firefox-asks-an-insecure-page", "http://app.example", (*PUBLIC, "-b", "firefox"), 0,
     "allowed", None, "prompt", ["GET"]),
    ("firefox-denied", "http://app.example", (*PUBLIC, "-b", "firefox", "--local-network",
     "denied"), 1, "blocked", "local-network-denied", "denied", []),
    ("safari-has-no-gate", "http://app.example", (*PUBLIC, "-b", "safari"), 0, "allowed", None,
     None, ["GET"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("origin", "options", "exit_code", "verdict", "decisive", "gate", "sent"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_the_local_network_gate(
    origin: str,
    options: tuple[str, ...],
    exit_code: int,
    verdict: str,
    decisive: str | None,
    gate: str | None,
    sent: list[str],
    server: ScriptedServer,
    run_cli: Run,
) -> None:
    server.route("/x", get=Reply(200, ANY))
    result = run_cli(
        "check",
        "--no-cache-probe",
        server.url("/x"),
        "--origin",
        origin,
        *options,
        "--format",
        "json",
    )
    assert result.returncode == exit_code, result.stderr
    document = json.loads(result.stdout)
    assert (document["verdict"], document["decisive"]) == (verdict, decisive)
    assert document["local_network"]["gate"] == gate
    assert [r.method for r in server.received] == sent
    if gate is not None:
        assert document["local_network"]["address"] == "127.0.0.1"
        assert document["local_network"]["address_space"] == "loopback"


def test_an_insecure_page_is_told_with_chromes_line_and_the_fix(
    server: ScriptedServer, run_cli: Run
) -> None:
    url = server.url("/x")
    result = run_cli("check", "--no-cache-probe", url, "--origin", "http://app.example", *PUBLIC)
    assert result.returncode == 1
    assert (
        f"Access to fetch at '{url}' from origin 'http://app.example' has been blocked by CORS "
        "policy: The request client is not a secure context and the resource is in "
        "more-private address space `loopback`." in " ".join(result.stdout.split())
    )
    assert "Serve the page over https" in result.stdout
    assert server.received == []


def test_a_verdict_that_depends_on_the_user_says_so(server: ScriptedServer, run_cli: Run) -> None:
    server.route("/x", get=Reply(200, ANY))
    result = run_cli(
        "check", "--no-cache-probe", server.url("/x"), "--origin", "https://app.example", *PUBLIC
    )
    assert result.returncode == 0
    headline = result.stdout.splitlines()[0]
    assert "ALLOWED" in headline
    assert "if the user allows Local Network Access" in headline
    assert "Permission was denied for this request to access the `loopback` address space." in (
        " ".join(result.stdout.split())
    )


def test_an_unresolvable_page_name_is_assumed_public_and_said(
    server: ScriptedServer, run_cli: Run
) -> None:
    server.route("/x", get=Reply(200, ANY))
    result = run_cli(
        "check",
        "--no-cache-probe",
        server.url("/x"),
        "--origin",
        "http://nowhere.invalid",
        "-f",
        "json",
    )
    document = json.loads(result.stdout)
    assert document["local_network"]["page_address_space"] == "public"
    assert document["local_network"]["page_address_space_assumed"] is True
    assert document["decisive"] == "local-network-insecure-page"
    finding = next(f for f in document["findings"] if f["code"] == document["decisive"])
    assert finding["detail"]["assumed"] == "True"
    assert "--page-address-space" in finding["message"]


@pytest.mark.parametrize(
    ("url", "sent", "engine"),
    [
        ("http://api.test:{port}/x", [], "chromium"),
        ("http://api.test:{port}/x", [], "firefox"),
        ("http://127.0.0.1:{port}/r", ["GET /r"], "chromium"),
        ("http://127.0.0.1:{port}/x", [], "safari"),
    ],
)
def test_mixed_content_is_blocked_before_sending(
    url: str, sent: list[str], engine: str, server: ScriptedServer, run_cli: Run
) -> None:
    server.route("/r", get=Reply(302, [("Location", f"http://api.test:{server.port}/x"), *ANY]))
    server.route("/x", get=Reply(200, ANY))
    target = url.format(port=server.port)
    result = run_cli(
        "check",
        "--no-cache-probe",
        target,
        "--origin",
        "https://app.example",
        "-b",
        engine,
        "-f",
        "json",
        *PUBLIC,
    )
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    assert document["decisive"] == "mixed-content"
    assert [f"{r.method} {r.path}" for r in server.received] == sent


@pytest.mark.parametrize(
    ("option", "value"),
    [("--local-network", "maybe"), ("--page-address-space", "private")],
)
def test_a_bad_gate_option_is_one_line_and_exit_2(
    option: str, value: str, server: ScriptedServer, run_cli: Run
) -> None:
    result = run_cli("check", "--no-cache-probe", server.url("/x"), option, value)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert value in result.stderr
    assert server.received == []


def test_simulate_takes_the_same_gate_options(run_cli: Run) -> None:
    result = run_cli(
        "simulate",
        "http://127.0.0.1:9/x",
        "--origin",
        "https://app.example",
        *PUBLIC,
        "--local-network",
        "denied",
        "--response-header",
        "Access-Control-Allow-Origin: *",
        "-f",
        "json",
    )
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    assert (document["decisive"], document["local_network"]["gate"]) == (
        "local-network-denied",
        "denied",
    )
