"""`cors-probe check --from-curl / --from-fetch` as a subprocess against a scripted server on
127.0.0.1: the derived request gives the report the equivalent flags give, the report says first
how it was derived, flags win, secrets stay masked, consent is asked as for any check, and a bad
text is one line on stderr with exit 2."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CliResult, cli_command
from tests.inputs import devtools_shapes as shapes
from tests.servers import Received, Reply, ScriptedServer

PAGE = "http://127.0.0.1:4000"
TIMINGS = {"duration_ms", "elapsed_ms", "seconds", "preflight_ms"}
Run = Callable[..., CliResult]


def echo_cors(received: Received) -> Reply:
    """Allow the request's origin with credentials, any method and header asked for."""
    origin = received.header("Origin") or "*"
    headers = [
        ("Access-Control-Allow-Origin", origin),
        ("Access-Control-Allow-Credentials", "true"),
    ]
    if received.method == "OPTIONS":
        asked = received.header("Access-Control-Request-Headers")
        headers.append(
            (
                "Access-Control-Allow-Methods",
                received.header("Access-Control-Request-Method") or "GET",
            )
        )
        if asked:
            headers.append(("Access-Control-Allow-Headers", asked))
        return Reply(204, headers)
    return Reply(200, [*headers, ("Vary", "Origin")], b'{"ok": true}')


def comparable(document: Any) -> Any:
    """A JSON report without its measured times and its `derived` section."""
    if isinstance(document, dict):
        return {k: comparable(v) for k, v in document.items() if k not in TIMINGS | {"derived"}}
    if isinstance(document, list):
        return [comparable(v) for v in document]
    if isinstance(document, str):
        return re.sub(r"took \d+ ms", "took N ms", document)
    return document


CHROME_HEADERS = [
    ("Accept", "*/*"),
    ("Accept-Language", "en-US,en;q=0.9"),
    ("Connection", "keep-alive"),
    ("Content-Type", "application/json"),
    ("Cookie", "sid=s3cr3t-cookie"),
    ("Origin", PAGE),
    ("Referer", PAGE + "/app/"),
    ("Sec-Fetch-Dest", "empty"),
    ("Sec-Fetch-Mode", "cors"),
    ("Sec-Fetch-Site", "same-site"),
    ("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/156.0.0.0 Safari/537.36"),
    ("X-Token", "abc-secret-token"),
    ("sec-ch-ua", '"Chromium";v="156"'),
]
FLAGS = [
    "--origin", PAGE, "-X", "PUT", "-H", "Content-Type: application/json",
    "-H", "X-Token: abc-secret-token", "--data", "{\"a\": \"it's\"}", "--credentials",
    "--cookie", "sid=s3cr3t-cookie",
]  # fmt: skip


def test_from_curl_stdin_gives_the_report_of_the_equivalent_flags(
    run_cli: Run, server: ScriptedServer
) -> None:
    """A multi-line bash paste with quotes, read from standard input (`-`)."""
    server.route("/api/*", echo_cors)
    url = server.url("/api/items/1?x=1")
    text = shapes.chrome_curl(url, "PUT", CHROME_HEADERS, '{"a": "it\'s"}')
    assert "\\\n" in text
    assert "$'" in text
    derived = run_cli(
        "check", "--from-curl", "-", "--yes", "-f", "json", "--no-cache-probe", input=text
    )
    flags = run_cli("check", url, *FLAGS, "--yes", "-f", "json", "--no-cache-probe")
    derived.assert_no_traceback()
    assert (derived.returncode, flags.returncode) == (0, 0), derived.stderr
    assert comparable(derived.json()) == comparable(flags.json())
    document = derived.json()["derived"]
    assert (document["source"], document["engine"]) == ("curl", "chrome")
    assert (document["origin_from"], document["credentials_from"]) == ("Origin", "Cookie")
    assert [d["name"] for d in document["dropped"]] == [
        n for n, _ in CHROME_HEADERS if n not in ("Content-Type", "X-Token")
    ]
    # every captured value that is a secret is masked, wherever it would appear
    assert "s3cr3t-cookie" not in derived.stdout
    assert "abc-secret-token" not in derived.stdout
    puts = [r for r in server.requests_to("/api/items/1") if r.method == "PUT"]
    assert len(puts) == 2  # each run sent the actual request once
    assert puts[0].body == puts[1].body == b'{"a": "it\'s"}'
    assert puts[0].header("Cookie") == "sid=s3cr3t-cookie"


def test_the_text_report_says_first_how_the_request_was_derived(
    run_cli: Run, server: ScriptedServer, tmp_path: Path
) -> None:
    server.route("/api/*", echo_cors)
    url = server.url("/api/items/1")
    capture = tmp_path / "request.txt"
    capture.write_text(shapes.chrome_curl(url, "PUT", CHROME_HEADERS, "{}"), encoding="utf-8")
    result = run_cli("check", "--from-curl", f"@{capture}", "--yes", "--no-cache-probe")
    result.assert_no_traceback()
    first = " ".join(result.stdout.split("\n\n", 1)[0].split())  # rich wraps at 120 columns
    assert first.startswith("From the cURL command (captured by Chrome): origin " + PAGE)
    assert "(from Origin), method PUT, credentials include (a Cookie was captured)" in first
    assert "Sec-Fetch-Mode (sec)" in first
    assert "Accept-Language (engine default)" in first
    assert "sec-ch-ua (client hint)" in first
    assert "ALLOWED" in result.stdout.split("\n\n", 1)[1]
    shown = run_cli(
        "check", "--from-curl", f"@{capture}", "--yes", "--no-cache-probe", "--show-secrets", "-v"
    )
    assert "s3cr3t-cookie" in shown.stdout
    assert "s3cr3t-cookie" not in result.stdout


def test_flags_replace_what_was_derived(run_cli: Run, server: ScriptedServer) -> None:
    server.route("/api/*", echo_cors)
    url = server.url("/api/items/1")
    text = shapes.chrome_curl(url, "PUT", CHROME_HEADERS, "{}")
    other = "http://127.0.0.1:4001"
    result = run_cli(
        "check", "--from-curl", text, "--origin", other, "-X", "PATCH",
        "-H", "X-Token: replaced", "--cookie", "sid=other-cookie", "--yes", "-f", "json",
        "--no-cache-probe",
    )  # fmt: skip
    result.assert_no_traceback()
    document = result.json()
    assert document["request"]["origin"] == other
    assert document["request"]["method"] == "PATCH"
    assert document["request"]["headers"][-1] == ["X-Token", "****"]
    assert document["derived"]["overridden"] == ["--origin", "-X", "-H X-Token", "--cookie"]
    assert document["derived"]["origin_from"] == "flag"
    patched = [r for r in server.requests_to("/api/items/1") if r.method == "PATCH"]
    assert [r.header("X-Token") for r in patched] == ["replaced"]
    assert [r.header("Cookie") for r in patched] == ["sid=other-cookie"]
    assert "s3cr3t-cookie" not in result.stdout  # the replaced captured cookie too


def test_a_derived_put_still_needs_consent(run_cli: Run, server: ScriptedServer) -> None:
    server.route("/api/*", echo_cors)
    url = server.url("/api/items/1")
    text = shapes.firefox_fetch(url, "PUT", [("Content-Type", "application/json")], "{}")
    result = run_cli("check", "--from-fetch", text, "-f", "json", "--no-cache-probe")
    result.assert_no_traceback()
    assert result.json()["actual"]["sent"] is False
    assert [r.method for r in server.requests_to("/api/items/1")] == ["OPTIONS"]


def test_the_url_argument_replaces_the_captured_one(run_cli: Run, server: ScriptedServer) -> None:
    server.route("/api/*", echo_cors)
    text = "curl 'http://127.0.0.1:9/elsewhere' -H 'Origin: " + PAGE + "'"
    result = run_cli("check", server.url("/api/x"), "--from-curl", text, "-f", "json")
    result.assert_no_traceback()
    assert result.json()["request"]["url"] == server.url("/api/x")
    assert result.json()["derived"]["overridden"] == ["URL"]


USAGE = [
    pytest.param(["--from-curl", "curl 'http://127.0.0.1:9/"], "line 1", id="unterminated quote"),
    pytest.param(["--from-curl", "wget http://127.0.0.1:9/"], "not a curl command", id="not curl"),
    pytest.param(
        ["--from-curl", "curl http://127.0.0.1:9/ --bogus"], "--bogus", id="unknown option"
    ),
    pytest.param(["--from-fetch", "fetch(u)"], "not a literal", id="fetch: not a literal"),
    pytest.param(["--from-curl", "-"], "empty", id="empty stdin"),
    pytest.param(
        ["--from-curl", "curl 'http://127.0.0.1:9/' -H 'a: b' \\\n  -H 'c: d"],
        "the cURL command: line 2, column 6: unterminated quote (' opens here",
        id="unterminated quote: where it opens",
    ),
    pytest.param(
        ["--from-fetch", 'fetch("http://127.0.0.1:9/", {\n  "headers": {"a": "b"}'],
        "the fetch call is not closed: '(' at line 1, column 6 has no ')'",
        id="fetch cut short",
    ),
    pytest.param(
        ["--from-fetch", 'const token = "abc"; fetch("http://127.0.0.1:9/")'],
        "only a single fetch(...) call with literal arguments is read",
        id="fetch: a script",
    ),
    pytest.param(
        ["--from-curl", 'fetch("http://127.0.0.1:9/", {"method": "PUT"});'],
        "this is a fetch(...) call: give it to --from-fetch",
        id="fetch given to --from-curl",
    ),
    pytest.param(
        ["--from-fetch", "curl 'http://127.0.0.1:9/' -X PUT"],
        "give it to --from-curl",
        id="curl given to --from-fetch",
    ),
    pytest.param(["--from-curl", "@/nonexistent/x.txt"], "no such file", id="missing file"),
    pytest.param(
        ["--from-curl", "curl http://a.test/", "--from-fetch", "fetch('http://a.test/')"],
        "not both",
        id="both",
    ),
    pytest.param([], "give the URL to check", id="neither URL nor capture"),
]


@pytest.mark.parametrize(("args", "message"), USAGE)
def test_a_bad_capture_is_one_line_and_exit_2(run_cli: Run, args: list[str], message: str) -> None:
    result = run_cli("check", *args, input="")
    result.assert_no_traceback()
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message.lower() in lines[0].lower()


def test_a_file_name_without_its_at_sign_is_pointed_out(run_cli: Run, tmp_path: Path) -> None:
    (tmp_path / "chrome_ok.sh").write_text("curl 'http://127.0.0.1:9/'\n", encoding="utf-8")
    result = run_cli("check", "--from-curl", "chrome_ok.sh", cwd=tmp_path)
    result.assert_no_traceback()
    assert result.returncode == 2
    assert result.stderr.strip().endswith("did you mean @chrome_ok.sh?")


@pytest.mark.parametrize(
    ("option", "text"),
    [
        pytest.param("--from-curl", "$ curl 'http://127.0.0.1:9/api/x' -X PUT", id="$ curl"),
        pytest.param("--from-curl", "  > curl 'http://127.0.0.1:9/api/x' -X PUT", id="> curl"),
        pytest.param(
            "--from-fetch", "> fetch('http://127.0.0.1:9/api/x', {method: 'PUT'})", id="> fetch"
        ),
    ],
)
def test_a_pasted_prompt_is_left_out(run_cli: Run, option: str, text: str) -> None:
    result = run_cli("check", option, text, "--dry-run", "-f", "json")
    result.assert_no_traceback()
    assert result.returncode == 0, result.stderr
    assert result.json()["request"]["method"] == "PUT"
    assert result.json()["request"]["url"] == "http://127.0.0.1:9/api/x"


def test_a_huge_stdin_is_refused(run_cli: Run) -> None:
    result = run_cli("check", "--from-curl", "-", input="curl http://a.test/ " + "x" * 1_100_000)
    result.assert_no_traceback()
    assert result.returncode == 2
    assert "larger than 1024 KiB" in result.stderr


def test_an_idle_stdin_pipe_is_given_up_on() -> None:
    """`(sleep 30) | cors-probe check --from-curl -` once waited forever: standard input gets
    5 s for each read, as `--data @FILE` from a pipe (both options at once, in parallel)."""
    started = time.monotonic()
    children = [
        subprocess.Popen(
            [*cli_command(), "check", option, "-"],
            stdin=subprocess.PIPE,  # open and never written: a writer that sleeps
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for option in ("--from-curl", "--from-fetch")
    ]
    try:
        for child in children:
            child.wait(timeout=30)  # not communicate(): it would close standard input
        outcomes = [child.stderr.read() if child.stderr else "" for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
            for stream in (child.stdin, child.stdout, child.stderr):
                if stream is not None:
                    stream.close()
    assert time.monotonic() - started < 20
    for option, child, stderr in zip(
        ("--from-curl", "--from-fetch"), children, outcomes, strict=True
    ):
        assert child.returncode == 2, stderr
        assert stderr == (
            f"cors-probe: error: {option} -: nothing to read after 5 s (a pipe with no writer?)\n"
        )


def test_simulate_reads_a_capture_too(run_cli: Run) -> None:
    """Offline: the stated answers judge the derived request; nothing is sent."""
    text = shapes.chrome_curl("http://127.0.0.1:9/api/x", "PUT", CHROME_HEADERS, "{}")
    allow = f"Access-Control-Allow-Origin: {PAGE}"
    result = run_cli("simulate", "--from-curl", text, "--preflight-header", allow, "-f", "json")
    result.assert_no_traceback()
    document = result.json()
    assert document["simulated"] is True
    assert document["derived"]["origin_from"] == "Origin"
    assert document["request"]["method"] == "PUT"
    assert document["decisive"] == "acac-not-true"  # credentialed: the captured Cookie


SECRET_HEADERS = [
    ("Authorization", "Bearer sk_live_captured"),
    ("Cookie", "sessionid=captured-session"),
    ("X-Api-Key", "captured-api-key"),
    ("X-Trace", "kept-1"),
    ("Origin", PAGE),
]


@pytest.mark.parametrize(
    ("captured_path", "same_origin"),
    [
        pytest.param("/api/a", True, id="same origin, another path: kept"),
        pytest.param(None, False, id="another origin: left out"),
    ],
)
def test_captured_secrets_go_only_to_the_captured_origin(
    run_cli: Run, server: ScriptedServer, captured_path: str | None, same_origin: bool
) -> None:
    """The URL argument replacing the captured one: the capture's Cookie and secret headers
    follow it only within the captured origin (README: "only to the captured URL")."""
    server.route("/api/*", echo_cors)
    given = server.url("/api/b")
    captured = (
        server.url(captured_path) if captured_path else given.replace("127.0.0.1", "localhost")
    )
    text = shapes.chrome_curl(captured, "GET", SECRET_HEADERS, None)
    result = run_cli("check", given, "--from-curl", text, "--yes", "-f", "json", "--no-cache-probe")
    result.assert_no_traceback()
    assert result.returncode == 0, result.stderr
    sent = [r for r in server.requests_to("/api/b") if r.method == "GET"]
    assert sent
    assert all(r.header("X-Trace") == "kept-1" for r in sent)
    carried = [(r.header("Authorization"), r.header("Cookie"), r.header("X-Api-Key")) for r in sent]
    expected = ("Bearer sk_live_captured", "sessionid=captured-session", "captured-api-key")
    assert carried == [expected if same_origin else (None, None, None)] * len(sent)
    reasons = {d["name"]: d["reason"] for d in result.json()["derived"]["dropped"]}
    moved = {n for n, r in reasons.items() if r == "other-origin"}
    assert moved == (set() if same_origin else {"Authorization", "Cookie", "X-Api-Key"})
    text_report = run_cli("check", given, "--from-curl", text, "--yes", "--no-cache-probe")
    first = " ".join(text_report.stdout.split("\n\n", 1)[0].split())
    assert ("give --cookie / -H to send them there" in first) is not same_origin
    assert "sk_live_captured" not in text_report.stdout + result.stdout


def test_flags_send_the_secrets_to_another_origin(run_cli: Run, server: ScriptedServer) -> None:
    server.route("/api/*", echo_cors)
    given = server.url("/api/b")
    text = shapes.chrome_curl(given.replace("127.0.0.1", "localhost"), "GET", SECRET_HEADERS, None)
    result = run_cli(
        "check", given, "--from-curl", text, "--cookie", "sessionid=given",
        "-H", "Authorization: Bearer given", "--yes", "-f", "json", "--no-cache-probe",
    )  # fmt: skip
    result.assert_no_traceback()
    sent = [r for r in server.requests_to("/api/b") if r.method == "GET"]
    assert sent
    assert {(r.header("Authorization"), r.header("Cookie")) for r in sent} == {
        ("Bearer given", "sessionid=given")
    }


SECRET = "S3CRETV4LUE"
LEAKY = [
    pytest.param(
        "--from-curl",
        "curl 'http://127.0.0.1:9/' \\\n  -H 'cookie: sid=" + SECRET,
        "line 2, column 6: unterminated quote",
        id="bash: unterminated quote",
    ),
    pytest.param(
        "--from-curl",
        shapes.chrome_fetch(
            "http://127.0.0.1:9/api/x", "GET", [("authorization", f"Bearer sk_live_{SECRET}")], None
        ),
        "",
        id="bash: a fetch text given to --from-curl",
    ),
    pytest.param(
        "--from-curl",
        f'curl.exe "http://127.0.0.1:9/" -H "Authorization Bearer {SECRET}"',
        "has no colon",
        id="cmd: a header without its colon",
    ),
    pytest.param(
        "--from-curl",
        f'Invoke-WebRequest -Uri "http://127.0.0.1:9/" "Authorization: Bearer {SECRET}"',
        "without a parameter name",
        id="powershell: an argument without its name",
    ),
    pytest.param(
        "--from-fetch",
        'fetch("http://127.0.0.1:9/", {"headers": {"authorization": `Bearer ${tok}'
        + SECRET
        + "`}})",
        "substitution",
        id="fetch: a template literal",
    ),
    pytest.param(
        "--from-fetch",
        'fetch("http://a.test/?api_key=' + SECRET + '" + x)',
        "not a literal",
        id="fetch: a secret query parameter",
    ),
]


@pytest.mark.parametrize(("option", "text", "message"), LEAKY)
@pytest.mark.parametrize("given", ["file", "stdin"])
def test_an_error_about_a_capture_quotes_no_secret(
    run_cli: Run, tmp_path: Path, option: str, text: str, message: str, given: str
) -> None:
    """Read from a file or standard input (never on the command line the CLI scrubs): the one
    line quotes a short excerpt at most, its secrets masked."""
    capture = tmp_path / "capture.txt"
    capture.write_text(text, encoding="utf-8")
    if given == "file":
        result = run_cli("check", option, f"@{capture}", input="")
    else:
        result = run_cli("check", option, "-", input=text)
    result.assert_no_traceback()
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]
    assert SECRET not in result.stderr
    assert len(lines[0].replace(str(capture), "")) < 200, lines[0]
