"""`cors-probe simulate` and `check --assume-header`: the same engine, judged on stated answers."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cors_probe.errors import UsageError
from cors_probe.inputs.answers import load_answers
from tests.conftest import CliResult
from tests.servers import Reply, ScriptedServer

PAGE = "https://app.example"
ACAO = ("Access-Control-Allow-Origin", PAGE)
MS = re.compile(r"[\d.]+ ms")
TRANSPORT_REQUEST = {"host", "connection", "user-agent", "content-length", "accept-encoding"}
TRANSPORT_RESPONSE = {"content-length", "date", "server"}


TIMINGS = [
    (re.compile(r'"simulated": (true|false)'), '"simulated": ?'),
    (re.compile(r'"duration_ms": [\d.]+'), '"duration_ms": ?'),
    (re.compile(r'"preflight_ms": "\d+"'), '"preflight_ms": "?"'),
    (re.compile(r"this one took \d+ ms"), "this one took ? ms"),
]


def without_timings(stdout: str) -> str:
    """The JSON text with the `simulated` mark and the timings blanked, nothing else touched."""
    for pattern, blank in TIMINGS:
        stdout = pattern.sub(blank, stdout)
    return stdout


ASSUMED = re.compile(r'"assumed_headers": \[[^\]]*\]')


def unmarked(stdout: str) -> str:
    """The JSON text with every response's `assumed_headers` emptied."""
    return ASSUMED.sub('"assumed_headers": []', stdout)


def judgement(document: dict[str, Any]) -> dict[str, Any]:
    """The JSON minus what only a network adds: timings, peer address, transport headers."""
    exchanges = []
    for exchange in document["exchanges"]:
        request = dict(exchange["request"])
        request["headers"] = [
            h for h in request["headers"] if h[0].lower() not in TRANSPORT_REQUEST
        ]
        response = exchange["response"] and {
            "status": exchange["response"]["status"],
            "headers": [
                h for h in exchange["response"]["headers"] if h[0].lower() not in TRANSPORT_RESPONSE
            ],
        }
        exchanges.append({**exchange, "request": request, "response": response})
    findings = [
        {k: MS.sub("N ms", v) if isinstance(v, str) else v for k, v in f.items() if k != "detail"}
        for f in document["findings"]
    ]
    rest = {k: v for k, v in document.items() if k not in ("simulated", "exchanges", "findings")}
    readable = [n for n in rest["actual"]["readable_headers"] if n not in TRANSPORT_RESPONSE]
    rest["actual"] = {**rest["actual"], "readable_headers": readable}
    return {**rest, "exchanges": exchanges, "findings": findings}


REQUEST = ["--origin", PAGE, "-X", "PUT", "-H", "Content-Type: application/json", "-d", "{}"]
CASES: list[tuple[str, list[tuple[str, str]], list[tuple[str, str]], int]] = [
    ("no-allow-headers", [ACAO, ("Access-Control-Allow-Methods", "PUT")], [ACAO], 1),
    (
        "allowed",
        [
            ACAO,
            ("Access-Control-Allow-Methods", "PUT"),
            ("Access-Control-Allow-Headers", "content-type"),
        ],
        [ACAO, ("Vary", "Origin")],
        0,
    ),
    ("no-acao", [], [], 1),
    (
        "acac-missing-on-actual",
        [ACAO, ("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Allow-Headers", "*")],
        [("Access-Control-Allow-Origin", "*")],
        0,
    ),
]


@pytest.mark.parametrize(
    ("preflight", "response", "exit_code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_simulate_judges_as_check_does_against_a_live_server(
    preflight: list[tuple[str, str]],
    response: list[tuple[str, str]],
    exit_code: int,
    server: ScriptedServer,
    run_cli: Callable[..., CliResult],
) -> None:
    server.route("/p", options=Reply(204, preflight), put=Reply(200, response))
    live = run_cli(
        "check", "--no-cache-probe", server.url("/p"), *REQUEST, "--yes", "--format", "json"
    )
    options = [a for name, value in preflight for a in ("--preflight-header", f"{name}: {value}")]
    options += [a for name, value in response for a in ("--response-header", f"{name}: {value}")]
    simulated = run_cli("simulate", server.url("/p"), *REQUEST, *options, "--format", "json")
    assert live.returncode == simulated.returncode == exit_code, simulated.stderr
    assert simulated.json()["simulated"] is True
    assert live.json()["simulated"] is False
    assert judgement(simulated.json()) == judgement(live.json())
    assert len(server.requests_to("/p")) == (2 if exit_code == 0 else 1)


def test_assume_header_rejudges_the_live_answers(
    server: ScriptedServer, run_cli: Callable[..., CliResult]
) -> None:
    server.route(
        "/p",
        options=Reply(204, [ACAO, ("Access-Control-Allow-Methods", "PUT")]),
        put=Reply(200, [ACAO, ("Vary", "Origin")]),
    )
    before = run_cli(
        "check", "--no-cache-probe", server.url("/p"), *REQUEST, "--yes", "--format", "json"
    )
    assert before.returncode == 1
    assert before.json()["decisive"] == "header-not-allowed"
    fix = "Access-Control-Allow-Headers: content-type"
    after = run_cli(
        "check",
        "--no-cache-probe",
        server.url("/p"),
        *REQUEST,
        "--yes",
        "--format",
        "json",
        "--assume-header",
        fix,
    )
    assert after.returncode == 0, after.stdout
    assert after.json()["verdict"] == "allowed"
    simulated = run_cli(
        "simulate",
        server.url("/p"),
        *REQUEST,
        "--preflight-header",
        f"{ACAO[0]}: {ACAO[1]}",
        "--preflight-header",
        "Access-Control-Allow-Methods: PUT",
        "--preflight-header",
        fix,
        "--response-header",
        f"{ACAO[0]}: {ACAO[1]}",
        "--response-header",
        "Vary: Origin",
        "--response-header",
        fix,
        "--format",
        "json",
    )
    assert judgement(simulated.json()) == judgement(after.json())
    # the live server really was asked: the preflight, then the PUT it now allows
    assert [r.method for r in server.requests_to("/p")] == ["OPTIONS", "OPTIONS", "PUT"]


def test_answers_file(tmp_path: Path, run_cli: Callable[..., CliResult]) -> None:
    answers = tmp_path / "answers.toml"
    answers.write_text(
        "[preflight]\nstatus = 200\nheaders = [\n"
        '  "Access-Control-Allow-Origin: https://app.example",\n'
        '  "Access-Control-Allow-Methods: PUT",\n'
        "]\n[response]\n"
        'headers = ["Access-Control-Allow-Origin: https://app.example"]\n',
        encoding="utf-8",
    )
    result = run_cli(
        "simulate",
        "https://api.example/x",
        "--origin",
        PAGE,
        "-X",
        "PUT",
        "--answers",
        str(answers),
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    document = result.json()
    assert document["verdict"] == "allowed"
    assert document["exchanges"][0]["response"]["status"] == 200


# (id, answers file, the exact UsageError): checked in process by `load_answers`
BAD_ANSWERS = [
    (
        "not-toml",
        "[preflight\n",
        "answers.toml: not valid TOML: Expected ']' at the end of a table declaration "
        "(at line 1, column 11)",
    ),
    (
        "unknown-table",
        "[server]\nstatus = 1\n",
        "answers.toml: unknown table [server] (expected [preflight], [response])",
    ),
    (
        "unknown-key",
        "[preflight]\nheader = []\n",
        "answers.toml: unknown key preflight.header (expected status, headers)",
    ),
    (
        "bad-status",
        "[response]\nstatus = 42\n",
        "answers.toml: response.status must be a number from 100 to 599",
    ),
    (
        "headers-not-list",
        '[response]\nheaders = "x"\n',
        "answers.toml: response.headers must be a list of 'Name: value' strings",
    ),
    (
        "header-no-colon",
        '[response]\nheaders = ["nocolon"]\n',
        "header 'nocolon' has no colon: write it as 'Name: value'",
    ),
    ("no-such-file", None, "--answers 'answers.toml': No such file or directory"),
]


@pytest.mark.parametrize(
    ("text", "message"), [c[1:] for c in BAD_ANSWERS], ids=[c[0] for c in BAD_ANSWERS]
)
def test_a_bad_answers_file_is_a_usage_error(
    text: str | None, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    if text is not None:
        (tmp_path / "answers.toml").write_text(text, encoding="utf-8")
    with pytest.raises(UsageError, match=f"^{re.escape(message)}$"):
        load_answers("answers.toml")


def test_bad_answers_file_is_one_line_and_exit_2(
    tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    (tmp_path / "answers.toml").write_text("[server]\nstatus = 1\n", encoding="utf-8")
    result = run_cli("simulate", "https://api.example/x", "--answers", "answers.toml", cwd=tmp_path)
    result.assert_no_traceback()
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"cors-probe: error: {BAD_ANSWERS[1][2]}\n"


def test_simulate_refuses_redirects(run_cli: Callable[..., CliResult]) -> None:
    result = run_cli(
        "simulate",
        "https://api.example/x",
        "--response-status",
        "302",
        "--response-header",
        "Location: https://elsewhere.example/",
    )
    assert result.returncode == 2
    assert "does not follow redirects" in result.stderr


def test_simulate_sends_nothing(server: ScriptedServer, run_cli: Callable[..., CliResult]) -> None:
    result = run_cli("simulate", server.url("/p"), "--origin", PAGE, "-X", "DELETE")
    assert result.returncode == 1
    assert "simulated" in result.stdout.splitlines()[0] + result.stdout.splitlines()[1]
    assert server.received == []


@pytest.mark.parametrize(
    ("preflight", "response", "exit_code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_simulate_and_assume_header_match_check_against_the_lab(
    preflight: list[tuple[str, str]],
    response: list[tuple[str, str]],
    exit_code: int,
    run_cli: Callable[..., CliResult],
) -> None:
    """The lab's simulator endpoint answers with exactly the configured headers; `check` against
    it, `simulate` with those headers, and `check --assume-header` against a bare endpoint that
    only gets them assumed must all judge alike."""
    import json
    import urllib.request

    from cors_probe.lab.server import LabServer

    def register(lab: LabServer, pf: list[tuple[str, str]], rs: list[tuple[str, str]]) -> str:
        config = {
            "preflight": {"status": 204, "headers": [list(p) for p in pf]},
            "response": {"status": 200, "headers": [list(p) for p in rs]},
        }
        request = urllib.request.Request(
            lab.url("/lab/config"), data=json.dumps(config).encode(), method="POST"
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            ident: str = json.load(answer)["id"]
        return lab.url(f"/sim/{ident}")

    with LabServer() as lab:
        configured = register(lab, preflight, response)
        live = run_cli(
            "check", "--no-cache-probe", configured, *REQUEST, "--yes", "--format", "json"
        )
        options = [a for n, v in preflight for a in ("--preflight-header", f"{n}: {v}")]
        options += [a for n, v in response for a in ("--response-header", f"{n}: {v}")]
        simulated = run_cli("simulate", configured, *REQUEST, *options, "--format", "json")
        # the same endpoint, answering nothing but the bare framing, with one header assumed
        # on both answers: only meaningful when both answers carry the same single header set
        assert live.returncode == simulated.returncode == exit_code, live.stdout
        assert simulated.json()["simulated"] is True
        assert without_timings(simulated.stdout) == without_timings(live.stdout)
        if preflight and response and set(response) <= set(preflight):
            bare = register(lab, [], [])
            assumed = [a for n, v in preflight for a in ("--assume-header", f"{n}: {v}")]
            what_if = run_cli(
                "check", "--no-cache-probe", bare, *REQUEST, *assumed, "--yes", "--format", "json"
            )
            same = run_cli(
                "simulate",
                bare,
                *REQUEST,
                *[a.replace("--assume-header", "--preflight-header") for a in assumed],
                *[a.replace("--assume-header", "--response-header") for a in assumed],
                "--format",
                "json",
            )
            # the one difference: the live check marks the headers it only assumed
            marked = [e["response"]["assumed_headers"] for e in what_if.json()["exchanges"]]
            assert all(m == [n.lower() for n, _ in preflight] for m in marked)
            assert without_timings(unmarked(what_if.stdout)) == without_timings(same.stdout)


CLIENT_HINT = [
    "https://api.example/client-hint",
    "--origin",
    PAGE,
    "-H",
    "DPR: 2",
    "--preflight-status",
    "405",
    "--response-header",
    "Access-Control-Allow-Origin: *",
    "--format",
    "json",
]
"""A client hint the server answers on GET but not on OPTIONS: Chromium sends no preflight for
it and reads the response; Firefox and Safari send one, get 405 without CORS headers, block."""

# (--browser, exit code, verdicts, the contrasts' (engine, verdict), the splits' engine pairs)
ENGINE_CASES: list[tuple[str, int, dict[str, str], list[tuple[str, str]], list[list[str]]]] = [
    (
        "chromium",
        0,
        {"chrome": "allowed"},
        [("firefox", "blocked"), ("safari", "blocked")],
        [],
    ),
    ("firefox", 1, {"firefox": "blocked"}, [("chrome", "allowed")], []),
    ("safari", 1, {"safari": "blocked"}, [("chrome", "allowed")], []),
    (
        "all",
        1,
        {"chrome": "allowed", "firefox": "blocked", "safari": "blocked"},
        [],
        [["chrome", "firefox"], ["chrome", "safari"]],
    ),
]


@pytest.mark.parametrize(
    ("engine", "exit_code", "verdicts", "contrasts", "splits"),
    ENGINE_CASES,
    ids=[c[0] for c in ENGINE_CASES],
)
def test_simulate_judges_in_the_engine_asked_and_names_those_that_differ(
    run_cli: Callable[..., CliResult],
    engine: str,
    exit_code: int,
    verdicts: dict[str, str],
    contrasts: list[tuple[str, str]],
    splits: list[list[str]],
) -> None:
    result = run_cli("simulate", *CLIENT_HINT, "--browser", engine)
    assert result.returncode == exit_code, result.stderr
    document = result.json()
    assert document["verdicts"] == verdicts
    assert document["browser"] == next(iter(verdicts))
    assert [(c["browser"], c["verdict"]) for c in document["contrasts"]] == contrasts
    assert all("preflight" in c["message"] for c in document["contrasts"])
    assert [s["browsers"] for s in document["splits"]] == splits
    assert all(b["exchanges"] for b in document["browsers"].values())


def test_simulate_with_every_engine_shows_them_side_by_side(
    run_cli: Callable[..., CliResult],
) -> None:
    args = [a for a in CLIENT_HINT if a not in ("--format", "json")]
    result = run_cli("simulate", *args, "-b", "all")
    assert result.returncode == 1
    assert result.stdout.startswith("Chrome: allowed · Firefox: blocked · Safari: blocked\n")
    assert "Chrome and Firefox split: Firefox sends a preflight and Chrome does not" in (
        result.stdout.replace("\n", " ")
    )


@pytest.mark.parametrize("engine", ["firefox", "safari"])
def test_user_agent_replaces_the_engines_own(
    run_cli: Callable[..., CliResult], engine: str
) -> None:
    result = run_cli("simulate", *CLIENT_HINT, "-b", engine, "--user-agent", "Probe/1.0")
    agents = [
        value
        for exchange in result.json()["exchanges"]
        for name, value in exchange["request"]["headers"]
        if name.lower() == "user-agent"
    ]
    assert agents == ["Probe/1.0"]  # the preflight, which fails: nothing else is sent


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--browser", "lynx"], "Invalid value for '--browser' / '-b': 'lynx'"),
        (["--user-agent", " "], "--user-agent: give a non-empty value"),
    ],
    ids=["unknown-engine", "blank-user-agent"],
)
def test_a_bad_engine_or_user_agent_is_a_usage_error(
    run_cli: Callable[..., CliResult], args: list[str], message: str
) -> None:
    result = run_cli("simulate", *CLIENT_HINT, *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "assumed",
    [
        ["Access-Control-Allow-Headers: content-type"],  # a header the server lacks
        ["Access-Control-Allow-Methods: PUT, POST"],  # replacing one the server sent
        ["Access-Control-Allow-Headers: content-type", "X-Extra: 1"],
    ],
)
def test_assumed_headers_are_marked_as_assumed(
    server: ScriptedServer, run_cli: Callable[..., CliResult], assumed: list[str]
) -> None:
    """Headers `--assume-header` adds are never shown as if the server had sent them: JSON
    names them in each response's `assumed_headers`, the text marks their lines."""
    server.route(
        "/p",
        options=Reply(204, [ACAO, ("Access-Control-Allow-Methods", "PUT")]),
        put=Reply(200, [ACAO, ("Vary", "Origin")]),
    )
    options = [a for value in assumed for a in ("--assume-header", value)]
    names = [value.split(":")[0].lower() for value in assumed]
    document = run_cli("check", server.url("/p"), *REQUEST, "--yes", "--format", "json", *options)
    for exchange in document.json()["exchanges"]:
        response = exchange["response"]
        assert response["assumed_headers"] == names
        shown = [n.lower() for n, _ in response["headers"]]
        assert set(names) <= set(shown)
    text = run_cli("check", server.url("/p"), *REQUEST, "--yes", *options)
    header_lines = [line.strip() for line in text.stdout.splitlines() if line.strip()[:2] == "< "]
    for value in assumed:
        name = value.split(":")[0]
        marked = [line for line in header_lines if line.lower().startswith(f"< {name.lower()}:")]
        assert marked, text.stdout
        assert all(line.endswith("(assumed)") for line in marked), marked
    unmarked = [line for line in header_lines if "(assumed)" not in line and ":" in line]
    assert all(line.split(":")[0][2:].lower() not in names for line in unmarked)
    assert any(line.startswith("< Access-Control-Allow-Origin:") for line in unmarked)
