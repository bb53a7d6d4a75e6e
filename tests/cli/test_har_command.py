"""`cors-probe har` as a user runs it: the CLI process on real Chromium captures, offline.

tests/data/captures/har/ holds one HAR per referee family, made by real Chromium on loopback
(scripts/capture_har.py), and beside each what Chromium did with every fetch() (its verdict and
console lines, `<family>.referee.json`). The explanation from the file must be the referee's:
the same verdict for every request and, for each blocked one, the same console lines.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CliResult, _clean_env, cli_command
from tests.servers import Reply, ScriptedServer

CAPTURES = Path(__file__).resolve().parent.parent / "data" / "captures" / "har"
FAMILIES = sorted(
    str(p.relative_to(CAPTURES)).removesuffix(".har") for p in CAPTURES.rglob("*.har")
)
"""`family` (Chromium's captures) and `firefox/family` (Firefox's)."""
COOKIE_VALUE = "capture-s3cr3t-cookie"
"""The cookie the capture script set on the API (scripts/capture_har.py COOKIE)."""

RunCli = Callable[..., CliResult]


def referee(family: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((CAPTURES / f"{family}.referee.json").read_text())
    return document


@cache
def _explained(family: str) -> tuple[int, dict[str, Any], str]:
    """(exit code, the JSON document, stderr) of `cors-probe har <family>.har --format json`."""
    completed = subprocess.run(
        [*cli_command(), "har", str(CAPTURES / f"{family}.har"), "--format", "json"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=_clean_env(),
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )
    return completed.returncode, json.loads(completed.stdout), completed.stderr


@pytest.mark.parametrize("engine", ["chrome", "firefox"])
def test_there_is_a_capture_of_every_family_with_blocked_requests(engine: str) -> None:
    families = [f for f in FAMILIES if referee(f)["engine"] == engine]
    assert len(families) >= 10
    blocked = sum(
        s["verdict"] == "blocked" for family in families for s in referee(family)["scenarios"]
    )
    assert blocked >= 100


def _first_error_console(report: dict[str, Any], engine: str = "chrome") -> list[str] | None:
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    return list(errors[0]["console"][engine]) if errors else None


@pytest.mark.parametrize("family", FAMILIES)
def test_each_captured_request_is_explained_as_chromium_decided(family: str) -> None:
    """Every fetch() of the capture: the verdict Chromium reached; for a blocked one, every
    console line Chromium printed, character for character; marked captured."""
    code, document, stderr = _explained(family)
    assert "Traceback" not in stderr
    engine = referee(family)["engine"]
    assert document["engine"] == engine
    by_url = {item["url"]: item for item in document["requests"]}
    blocked = 0
    for scenario in referee(family)["scenarios"]:
        item = by_url.get(scenario["url"])
        assert item is not None, f"{scenario['name']}: not listed"
        report = item["report"]
        assert report is not None, f"{scenario['name']}: cannot tell ({item['unsent']})"
        assert report["captured"] is True
        assert item["verdict"] == scenario["verdict"], scenario["name"]
        if scenario["verdict"] == "blocked":
            blocked += 1
            assert _first_error_console(report, engine) == scenario["console"], scenario["name"]
    assert code == (1 if blocked else 0)


@pytest.mark.parametrize("family", ["acao", "credentials", "firefox/preflight"])
def test_the_text_report_lists_every_request_then_explains_the_blocked_ones(
    family: str, run_cli: RunCli
) -> None:
    result = run_cli("har", str(CAPTURES / f"{family}.har"))
    result.assert_no_traceback()
    scenarios = referee(family)["scenarios"]
    engine = {"chrome": "Chrome", "firefox": "Firefox"}[referee(family)["engine"]]
    listed = len(scenarios) + len(referee(family)["setup"])  # + the capture's own requests
    assert f"{listed} cross-origin requests, captured by {engine}" in result.stdout
    blocked = [s for s in scenarios if s["verdict"] == "blocked"]
    assert result.stdout.count(f"✘ BLOCKED in {engine}") == len(blocked)
    assert result.stdout.count("[captured]") == len(blocked)
    assert result.stdout.count("\nHAR entry ") == len(blocked)


def test_an_entry_picked_by_url_is_check_s_report_with_its_derivation(run_cli: RunCli) -> None:
    scenario = next(s for s in referee("credentials")["scenarios"] if s["verdict"] == "blocked")
    path = scenario["url"].split("/s/", 1)[1]
    result = run_cli(
        "har", str(CAPTURES / "credentials.har"), "--url", f"/s/{path}$", "--format", "json"
    )
    result.assert_no_traceback()
    document = result.json()
    assert document["schema"] == "cors-probe/check/1"
    assert document["captured"] is True
    assert document["verdict"] == "blocked"
    assert document["request"]["url"] == scenario["url"]
    assert document["derived"]["source"] == "har"
    assert document["derived"]["origin_from"] == "Origin"
    assert {d["name"].lower() for d in document["derived"]["dropped"]} >= {
        "sec-fetch-mode",
        "user-agent",
        "cookie",
    }
    assert _first_error_console(document) == scenario["console"]
    again = run_cli(
        "har",
        str(CAPTURES / "credentials.har"),
        "--entry",
        str(document["entry"]),
        "--format",
        "json",
    )
    assert again.json()["findings"] == document["findings"]
    assert result.returncode == again.returncode == 1


def test_secrets_of_the_capture_are_masked_unless_asked(run_cli: RunCli) -> None:
    """The captured Cookie never reaches the output unless --show-secrets."""
    har = str(CAPTURES / "credentials.har")
    for output_format in ("text", "json"):
        masked = run_cli("har", har, "--format", output_format)
        assert COOKIE_VALUE not in masked.stdout
        assert COOKIE_VALUE not in masked.stderr
    shown = run_cli("har", har, "--format", "json", "--show-secrets")
    assert COOKIE_VALUE in shown.stdout


def _har(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {"log": {"version": "1.2", "creator": {"name": "WebInspector"}, "entries": entries}}


def _entry(method: str, url: str, headers: list[tuple[str, str]], status: int) -> dict[str, Any]:
    return {
        "request": {
            "method": method,
            "url": url,
            "headers": [{"name": n, "value": v} for n, v in headers],
        },
        "response": {"status": status, "headers": [], "redirectURL": ""},
    }


MALFORMED: list[tuple[str, bytes, str]] = [
    ("empty", b"", "the file is empty"),
    ("not-json", b"<html>not a HAR</html>", "not JSON"),
    ("truncated", json.dumps(_har([])).encode()[:-5], "truncated"),
    (
        "truncated-in-a-string",
        json.dumps(_har([_entry("GET", "http://a/" + "x" * 50, [], 200)])).encode()[:80],
        "truncated (a string starting at line 1 never ends)",
    ),
    ("zero-entries", json.dumps(_har([])).encode(), "the capture has no entries"),
    ("not-utf8", b'{"log": "\xff\xfe"}', "not UTF-8"),
    ("no-entries", b'{"log": {"version": "1.2", "creator": {"name": "x"}}}', "log"),
    (
        "entries-not-a-list",
        json.dumps({"log": {**_har([])["log"], "entries": {}}}).encode(),
        "log.entries",
    ),
    (
        "wrong-version",
        json.dumps({"log": {**_har([])["log"], "version": "2.0"}}).encode(),
        "log.version",
    ),
    (
        "bad-status",
        json.dumps(
            _har(
                [
                    {
                        **_entry("GET", "http://a/", [], 200),
                        "response": {"status": "200", "headers": []},
                    }
                ]
            )
        ).encode(),
        "log.entries[0].response.status",
    ),
    (
        "header-without-value",
        json.dumps(
            _har(
                [
                    {
                        **_entry("GET", "http://a/", [], 200),
                        "request": {
                            "method": "GET",
                            "url": "http://a/",
                            "headers": [{"name": "X"}],
                        },
                    }
                ]
            )
        ).encode(),
        "log.entries[0].request.headers[0]",
    ),
    ("a-list", b"[1, 2, 3]", "the document"),
    ("nested-too-deeply", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ("nested-in-a-field", b'{"log": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested"),
]


@pytest.mark.parametrize(
    ("content", "said"), [(c, s) for _, c, s in MALFORMED], ids=[i for i, _, _ in MALFORMED]
)
def test_a_malformed_har_is_one_line_and_exit_2(
    content: bytes, said: str, tmp_path: Path, run_cli: RunCli
) -> None:
    path = tmp_path / "capture.har"
    path.write_bytes(content)
    result = run_cli("har", str(path))
    result.assert_no_traceback()
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"cors-probe: error: HAR file '{path}'"), lines[0]
    assert said in lines[0]
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--entry", "999"], "the capture has"),
        (["--entry", "1"], "not a cross-origin request"),
        (["--url", "nothing-like-this"], "matches no cross-origin request"),
        (["--url", "/s/"], "give --entry"),
        (["--url", "("], "not a regular expression"),
        (["--format", "junit"], "'junit' is not one of 'text', 'json'"),
        (["--entry", "2", "--url", "/s/"], "--entry and --url both pick a request"),
    ],
)
def test_a_pick_that_names_no_single_request_is_one_line(
    args: list[str], said: str, run_cli: RunCli
) -> None:
    result = run_cli("har", str(CAPTURES / "credentials.har"), *args)
    result.assert_no_traceback()
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert said in result.stderr


def _live_har(tmp_path: Path, server: ScriptedServer, page: str) -> Path:
    """A capture of a PUT to `server` whose preflight the server refused (no ACAO) at the time."""
    url = server.url("/items/1")
    entries = [
        _entry(
            "PUT",
            url,
            [
                ("Content-Type", "application/json"),
                ("Referer", f"{page}/"),
                ("User-Agent", "Mozilla/5.0 Chrome/156.0.0.0"),
            ],
            0,
        ),
        _entry(
            "OPTIONS",
            url,
            [
                ("Access-Control-Request-Method", "PUT"),
                ("Access-Control-Request-Headers", "content-type"),
                ("Origin", page),
            ],
            204,
        ),
    ]
    path = tmp_path / "live.har"
    path.write_text(json.dumps(_har(entries)))
    return path


def test_replay_asks_the_live_server_again_with_check_s_consent_rule(
    tmp_path: Path, server: ScriptedServer, run_cli: RunCli
) -> None:
    """Offline, the capture's refused preflight decides; --replay asks the server as it is now
    (fixed), and the PUT goes out only with --yes."""
    page = "http://127.0.0.1:8080"
    allow = [
        ("Access-Control-Allow-Origin", page),
        ("Access-Control-Allow-Methods", "PUT"),
        ("Access-Control-Allow-Headers", "content-type"),
    ]
    server.route("/items/1", options=Reply(204, allow), put=Reply(200, allow[:1]))
    path = str(_live_har(tmp_path, server, page))

    offline = run_cli("har", path, "--format", "json")
    assert offline.returncode == 1
    assert offline.json()["requests"][0]["decisive"] == "acao-missing"
    assert server.received == []

    without_consent = run_cli("har", path, "--replay", "--format", "json")
    assert without_consent.returncode == 4
    assert [r.method for r in server.received] == ["OPTIONS"]
    item = without_consent.json()["requests"][0]
    assert item["verdict"] == "incomplete"
    assert item["report"]["captured"] is False

    server.clear()
    replayed = run_cli("har", path, "--replay", "--yes", "--format", "json")
    assert replayed.returncode == 0, replayed.stderr
    assert [r.method for r in server.received] == ["OPTIONS", "PUT"]
    assert replayed.json()["replayed"] is True


def test_a_request_the_capture_does_not_answer_is_said_not_invented(
    tmp_path: Path, run_cli: RunCli
) -> None:
    """A preflight the capture lacks: cannot tell, and which request it lacks; exit 4; the
    secret in its URL masked there too."""
    page = "http://127.0.0.1:8080"
    entries = [
        _entry(
            "DELETE",
            "http://127.0.0.1:9/items/1?token=t0k3n-0f-a-st0pped-capture",
            [("Origin", page), ("Sec-Fetch-Mode", "cors")],
            0,
        )
    ]
    path = tmp_path / "stopped.har"
    path.write_text(json.dumps(_har(entries)))
    result = run_cli("har", str(path))
    result.assert_no_traceback()
    assert result.returncode == 4
    assert "cannot tell" in result.stdout
    assert "would send the preflight OPTIONS http://127.0.0.1:9/items/1?token=****" in (
        result.stdout
    )
    document = run_cli("har", str(path), "--format", "json").json()
    assert document["requests"][0]["unsent"] == {
        "kind": "preflight",
        "method": "OPTIONS",
        "url": "http://127.0.0.1:9/items/1?token=****",
    }
    assert "t0k3n-0f-a-st0pped-capture" not in json.dumps(document)


def test_a_capture_can_come_on_standard_input(run_cli: RunCli) -> None:
    text = (CAPTURES / "firefox" / "credentials.har").read_text()
    result = run_cli("har", "-", "--format", "json", input=text)
    result.assert_no_traceback()
    document = result.json()
    assert document["engine"] == "firefox"
    assert document["file"] == "-"
    assert len(document["requests"]) == len(referee("firefox/credentials")["scenarios"]) + 1


def test_an_authorization_and_a_key_in_the_url_are_masked_everywhere(
    tmp_path: Path, run_cli: RunCli
) -> None:
    page = "http://127.0.0.1:8080"
    url = "http://127.0.0.1:9/items?api_key=k3y-0f-th3-capture"
    entries = [
        _entry(
            "GET",
            url,
            [("Origin", page), ("Authorization", "Bearer t0ken-0f-th3-capture")],
            0,
        ),
        _entry(
            "OPTIONS",
            url,
            [("Origin", page), ("Access-Control-Request-Method", "GET")],
            403,
        ),
    ]
    path = tmp_path / "secret.har"
    path.write_text(json.dumps(_har(entries)))
    for output_format in ("text", "json"):
        result = run_cli("har", str(path), "--format", output_format)
        result.assert_no_traceback()
        assert result.returncode == 1
        for secret in ("k3y-0f-th3-capture", "t0ken-0f-th3-capture"):
            assert secret not in result.stdout + result.stderr, output_format
    shown = run_cli("har", str(path), "--format", "json", "--show-secrets")
    assert "k3y-0f-th3-capture" in shown.stdout
    assert "t0ken-0f-th3-capture" in shown.stdout


PAGE = "http://127.0.0.1:8080"
API = "http://127.0.0.1:9/items"
NOT_HTTP = [
    "ws://127.0.0.1:5173/?token=s0ck3t-t0k3n",  # Vite's hot-reload socket
    "wss://127.0.0.1:5173/live",
    "data:text/plain,hello",
    "blob:http://127.0.0.1:8080/0b6c3f5e-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
    "chrome-extension://abcdefghijklmnop/content.js",
    "htp:/127.0.0.1:9/?api_key=ERRSECRET1&token=ERRSECRET2",
]
UNREADABLE: list[tuple[str, str, list[tuple[str, str]], str]] = [
    ("GE T", API + "/1", [("Origin", PAGE)], "not a valid HTTP method"),
    ("GET", API + "/2?api_key=B4DH34D3R", [("Origin", PAGE), ("Bad Name", "v")], "header name"),
    ("GET", API + "/3", [("Origin", "nonsense")], "bad origin"),
]


def _mixed(tmp_path: Path) -> Path:
    """A capture whose entries 1-6 are not http(s), 7-9 cannot be read, 10 is a blocked GET."""
    entries = [_entry("GET", url, [("Origin", PAGE)], 101) for url in NOT_HTTP]
    entries += [_entry(m, u, h, 200) for m, u, h, _ in UNREADABLE]
    entries.append(_entry("GET", API + "/ok", [("Origin", PAGE)], 200))
    path = tmp_path / "mixed.har"
    path.write_text(json.dumps(_har(entries)))
    return path


def test_entries_that_are_not_http_or_cannot_be_read_are_skipped_never_fatal(
    tmp_path: Path, run_cli: RunCli
) -> None:
    path = _mixed(tmp_path)
    text = run_cli("har", str(path))
    text.assert_no_traceback()
    assert text.returncode == 1, text.stderr  # entry 10 is blocked: judged despite the others
    assert text.stderr == ""
    header = " ".join(text.stdout.split("┏")[0].split())
    assert f"{len(NOT_HTTP)} entries skipped: not http(s)" in header
    assert f"{len(UNREADABLE)} entries skipped: cannot be read" in header
    lines = " ".join(text.stdout.split("┘")[1].split("HAR entry")[0].split())
    for number, (_, _, _, said) in enumerate(UNREADABLE, start=len(NOT_HTTP) + 1):
        assert f"entry {number} skipped: " in lines
        assert said in lines.split(f"entry {number} skipped: ")[1].split(" entry ")[0]
    document = run_cli("har", str(path), "--format", "json").json()
    assert [r["entry"] for r in document["requests"]] == [len(NOT_HTTP) + len(UNREADABLE) + 1]
    skipped = document["skipped"]
    assert [s["entry"] for s in skipped] == list(range(1, len(NOT_HTTP) + len(UNREADABLE) + 1))
    assert {s["reason"] for s in skipped[: len(NOT_HTTP)]} == {"not http(s)"}
    for item, (_, _, _, said) in zip(skipped[len(NOT_HTTP) :], UNREADABLE, strict=True):
        assert said in item["reason"]
    for secret in ("s0ck3t-t0k3n", "ERRSECRET1", "ERRSECRET2", "B4DH34D3R"):
        assert secret not in text.stdout + json.dumps(document)
    shown = run_cli("har", str(path), "--format", "json", "--show-secrets")
    assert "ERRSECRET1" in shown.stdout


@pytest.mark.parametrize(
    ("entry", "said"),
    [("1", "is not http(s)"), ("7", "entry 7 cannot be judged: 'GE T' is not a valid")],
)
def test_picking_a_skipped_entry_is_one_line_with_secrets_masked(
    entry: str, said: str, tmp_path: Path, run_cli: RunCli
) -> None:
    result = run_cli("har", str(_mixed(tmp_path)), "--entry", entry)
    result.assert_no_traceback()
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert said in result.stderr
    assert "s0ck3t-t0k3n" not in result.stderr


def test_an_unusable_entry_is_named_by_its_entry_number(tmp_path: Path, run_cli: RunCli) -> None:
    entries = [_entry("GET", API, [], 200) for _ in range(4)]
    entries[3]["response"]["status"] = "x"
    path = tmp_path / "bad.har"
    path.write_text(json.dumps(_har(entries)))
    result = run_cli("har", str(path))
    assert result.returncode == 2
    assert "log.entries[3].response.status (entry 4, as --entry counts" in result.stderr


def test_an_idle_pipe_on_standard_input_is_given_up_after_a_bounded_wait() -> None:
    """`(sleep 30) | cors-probe har -`: the pipe stays open and silent; like `--data @FILE`
    (request.BODY_WAIT, 5 s) har gives up with one line, exit 2, instead of hanging."""
    import time

    started = time.monotonic()
    process = subprocess.Popen(
        [*cli_command(), "har", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_clean_env(),
    )
    assert process.stdin is not None
    assert process.stderr is not None
    try:
        process.wait(timeout=30)  # stdin is never written nor closed while it runs
    finally:
        if process.poll() is None:
            process.kill()
        process.stdin.close()
    stderr = process.stderr.read()
    process.stderr.close()
    assert process.stdout is not None
    process.stdout.close()
    assert time.monotonic() - started < 20
    assert process.returncode == 2
    lines = stderr.decode().strip().splitlines()
    assert lines == [
        "cors-probe: error: HAR file '-': nothing to read after 5 s (a pipe with no writer?)"
    ]


def test_an_engine_the_capture_cannot_answer_is_named_and_the_others_judged(
    run_cli: RunCli,
) -> None:
    """Entry 3 of engines.har: Chromium sent a DPR client hint without a preflight (its verdict
    is in the capture); Firefox and Safari would preflight it, and the capture holds none."""
    path = str(CAPTURES / "engines.har")
    firefox = run_cli("har", path, "-b", "firefox", "--entry", "3")
    firefox.assert_no_traceback()
    assert firefox.returncode == 4
    text = " ".join(firefox.stdout.split())
    assert "origin ?" not in text
    assert "origin http://127.0.0.1:" in text
    assert "(engine default)" in text  # render/derived.py's words, as check's reports say
    assert "engine-default" not in text
    assert "Cannot tell from the capture for Firefox: Firefox would send the preflight" in text
    assert "Chrome would send" not in text
    document = run_cli("har", path, "-b", "firefox", "--entry", "3", "-f", "json").json()
    assert (document["engine"], document["judged_by"]) == ("chrome", ["firefox"])
    assert [u["engine"] for u in document["requests"][0]["untold"]] == ["firefox"]

    every = run_cli("har", path, "-b", "all", "--entry", "3")
    assert every.returncode == 4
    said = " ".join(every.stdout.split())
    assert "ALLOWED in Chrome" in said
    for engine in ("Firefox", "Safari"):
        assert f"Cannot tell from the capture for {engine}: {engine} would send" in said
    table = run_cli("har", path, "-b", "all").stdout  # the verdict cell wraps: its words
    assert "allowed;" in table
    assert "cannot tell" in table
    both = run_cli("har", path, "-b", "all", "--entry", "3", "-f", "json").json()
    assert both["schema"] == "cors-probe/check/1"
    assert both["verdict"] == "allowed"
    assert [u["engine"] for u in both["untold"]] == ["firefox", "safari"]


def test_har_help_offers_only_what_har_does() -> None:
    """--format lists text|json only; --origin's default is the capture's, not check's."""
    completed = subprocess.run(
        [*cli_command(), "har", "--help"],
        capture_output=True,
        text=True,
        env={**_clean_env(), "COLUMNS": "200"},
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0
    said = " ".join(completed.stdout.split())
    assert "<text|json>" in said
    assert "junit" not in said
    assert "sarif" not in said
    assert "an unrelated third-party site" not in said
    assert "the one the capture shows" in said


def test_an_entry_that_is_a_preflight_says_whose(run_cli: RunCli) -> None:
    """DevTools lists a preflight as its own entry: --entry on it explains the request, says so."""
    capture = json.loads((CAPTURES / "acao.har").read_text())
    entries = capture["log"]["entries"]
    number = next(
        n
        for n, e in enumerate(entries, start=1)
        if e["request"]["method"] == "OPTIONS"
        and any(
            h["name"].lower() == "access-control-request-method" for h in e["request"]["headers"]
        )
    )
    path = str(CAPTURES / "acao.har")
    text = run_cli("har", path, "--entry", str(number))
    assert text.returncode in (0, 1, 4), text.stderr
    assert text.stdout.startswith(f"entry {number} is the preflight of entry ")
    owner = int(text.stdout.split()[7])
    assert entries[owner - 1]["request"]["method"] != "OPTIONS"
    assert f"HAR entry {owner}:" in text.stdout
    document = run_cli("har", path, "--entry", str(number), "--format", "json").json()
    assert document["entry"] == owner
    assert document["note"] == f"entry {number} is the preflight of entry {owner}"


def test_a_url_matching_many_requests_lists_every_entry(run_cli: RunCli) -> None:
    result = run_cli("har", str(CAPTURES / "acao.har"), "--url", "/s/")
    assert result.returncode == 2
    listed = result.stderr.split("(entries ")[1].split(")")[0].split(", ")
    count = int(result.stderr.split(" matches ")[1].split()[0])
    assert count > 10
    assert len(listed) == count
