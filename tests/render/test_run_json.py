"""A run's JSON document: one valid document, its head indented, one check per line in `checks`.

Each entry is spooled as its check finishes (`Outputs.keep`, in any order) and the document is
written around them in file order; an entry's `report` is the document `check --format json`
prints for the same request, and secrets are scrubbed from every entry.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cors_probe.model import Headers, Report, WireRequest, WireResponse
from cors_probe.render import Format, RenderOptions
from cors_probe.render.destinations import Outputs, plan
from cors_probe.render.json import UNESCAPED, compact, entry, render, to_dict
from cors_probe.render.scrub import in_json
from cors_probe.secrets import MASK
from cors_probe.usecases import check
from cors_probe.usecases.results import CheckResult, Run, evaluate
from cors_probe.usecases.spec import CheckSpec, PolicyFile
from tests.subjects import PAGE, SECRET, shape

CONTROLS = "\x1b[31m\x9b2J\x7f\x00"


def _send(request: WireRequest) -> WireResponse:
    """Allows /ok (echoing the request's Authorization back, and control bytes); /no has no
    Access-Control-Allow-Origin."""
    if request.url.endswith("/no"):
        return WireResponse(200, Headers.of(("Content-Type", "text/plain")))
    echoed = request.headers.get("Authorization") or ""
    return WireResponse(
        204 if request.method == "OPTIONS" else 200,
        Headers.of(
            ("Access-Control-Allow-Origin", PAGE),
            ("Access-Control-Allow-Methods", "PUT"),
            ("Access-Control-Allow-Headers", "authorization, content-type"),
            ("X-Echo", echoed),
            ("X-Evil", CONTROLS),
        ),
        reason="OK",
    )


def _checks() -> list[tuple[CheckSpec, Report]]:
    shapes = [
        ("read", shape("/ok"), "allowed"),
        ("update", shape("/ok", "PUT", "Content-Type: application/json", data="{}"), "allowed"),
        ("blocked", shape("/no"), "allowed"),
        ("token", shape("/ok", "GET", f"Authorization: Bearer {SECRET}"), "allowed"),
    ]
    found = []
    for line, (name, request, expect) in enumerate(shapes, 1):
        spec = CheckSpec(name, line * 4, request, "app", expect)
        found.append((spec, check.run(request, _send, consent=lambda _: True)))
    return found


def _written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, show: bool) -> tuple[str, Any]:
    """The run's JSON as `run --output json:run.json` writes it, entries kept out of order."""
    monkeypatch.chdir(tmp_path)
    checks = _checks()
    results = [evaluate(spec, report) for spec, report in checks]
    policy = PolicyFile("cors-probe.toml", tuple(s for s, _ in checks), frozenset())
    run = Run(policy, results, started="2026-01-01T00:00:00Z", seconds=1.5)
    options = RenderOptions(show_secrets=show)
    with Outputs(plan(Format.TEXT, ["json:run.json"]), options, policy_path=policy.path) as out:
        for index in reversed(range(len(checks))):
            out.keep(index, results[index], checks[index][1])
        out.write(run)
    text = (tmp_path / "run.json").read_text(encoding="utf-8")
    return text, checks


def _entry_lines(text: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index('  "checks": [')
    end = lines.index("  ],", start)
    return lines[start + 1 : end]


def test_the_run_document_is_valid_json_with_one_check_per_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text, checks = _written(tmp_path, monkeypatch, show=False)
    capsys.readouterr()
    document = json.loads(text)
    assert document["schema"] == "cors-probe/run/1"
    assert document["summary"]["total"] == len(checks)
    lines = _entry_lines(text)
    assert len(lines) == len(checks)
    assert all(line.startswith("    {") for line in lines)
    parsed = [json.loads(line.strip().removesuffix(",")) for line in lines]
    assert parsed == document["checks"]
    assert [c["name"] for c in document["checks"]] == [spec.name for spec, _ in checks]
    assert not any(c in text for c in "\x1b\x9b\x7f\x00")  # escaped by JSON, never raw


def test_each_entry_holds_the_check_document_of_its_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without a secret in the request, `report` is exactly what `check --format json` prints;
    the entry's own keys come from the check and its result."""
    text, checks = _written(tmp_path, monkeypatch, show=False)
    capsys.readouterr()
    document = json.loads(text)
    for (spec, report), written in zip(checks[:3], document["checks"], strict=False):
        assert written["report"] == json.loads(render(report))
        result = evaluate(spec, report)
        assert written["id"] == spec.ident
        assert (written["got"], written["status"]) == (result.got, result.status.value)
        assert written["findings"] == list(result.codes)
    assert document["checks"][2]["status"] == "failed"
    evil = dict(document["checks"][0]["report"]["exchanges"][0]["response"]["headers"])
    assert evil["X-Evil"] == CONTROLS


@pytest.mark.parametrize("show", [False, True], ids=["masked", "shown"])
def test_a_secret_echoed_by_the_server_is_scrubbed_from_its_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], show: bool
) -> None:
    text, _ = _written(tmp_path, monkeypatch, show=show)
    capsys.readouterr()
    token = json.loads(text)["checks"][3]
    echoed = dict(token["report"]["exchanges"][-1]["response"]["headers"])["X-Echo"]
    assert (SECRET in text) is show
    assert echoed == (f"Bearer {SECRET}" if show else f"Bearer {MASK}")


def test_an_entry_is_one_line_holding_the_whole_check_document() -> None:
    """An entry (made by the C encoder, compact) is one line, and its report, secrets shown, is
    the check's document: nothing is lost by not indenting it."""
    for spec, report in _checks():
        result: CheckResult = evaluate(spec, report)
        text = entry("cors-probe.toml", result, report, secrets=frozenset(), show_secrets=True)
        assert "\n" not in text
        assert json.loads(text)["report"] == json.loads(render(report, show_secrets=True))
        assert json.loads(text)["url"] == spec.shape.url


@pytest.mark.parametrize(
    ("secret", "value"),
    [
        ("plain-secret-1", "x plain-secret-1 y"),
        ('quo"te\\back', 'said quo"te\\back'),  # JSON escapes " and \
        ('quo"te', '{"echo": "quo\\"te"}'),  # a body quoting its JSON form, escaped again
        ("tab\tand\x1bescape", "->tab\tand\x1bescape<-"),  # and control characters
        ("ünï-cødé-key", "key=ünï-cødé-key"),
        ("a b/c+d", "https://api.example/x?k=a%20b%2Fc%2Bd"),  # a percent-encoded form
        ("a&b<c>", "<p>a&amp;b&lt;c&gt;</p>"),  # an XML-escaped form
    ],
    ids=["plain", "quote-backslash", "json-form", "controls", "non-ascii", "percent", "xml"],
)
def test_a_secret_in_any_form_in_a_string_is_found_and_masked(secret: str, value: str) -> None:
    """`in_json` says whether `clean` has work to do; when it says no, the entry is written as
    is, so it must never miss a secret that a string value holds in any of its forms."""
    document = {"report": {"headers": [["X-Echo", value]], "n": 1}, "flag": True}
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    assert in_json(text, {secret})
    written = json.loads(compact(document, frozenset({secret})))
    assert written["report"]["headers"][0][1] != value
    assert MASK in written["report"]["headers"][0][1]
    assert written["flag"] is True


def test_a_document_without_the_secret_is_written_as_is() -> None:
    document = {"report": {"headers": [["X-Echo", "nothing to hide"]]}, "true": None}
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    assert not in_json(text, {"plain-secret-1", "abc"})  # "abc" is too short to be masked
    assert compact(document, frozenset({"plain-secret-1"})) == text


@pytest.mark.parametrize(
    "value", ["plain", "del\x7f", "csi\x9b[2J", "nel\x85", "caf\u00e9", "\u00a0", "\x9f\x7f", ""]
)
def test_a_compact_entry_escapes_del_and_c1_controls_only(value: str) -> None:
    document = {"value": value, "list": [value, 1]}
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    assert compact(document) == UNESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    assert json.loads(compact(document)) == document


@pytest.mark.parametrize("show_secrets", [False, True])
def test_a_check_documents_triggers_are_made_once_and_masked_alike(show_secrets: bool) -> None:
    """`preflight.triggers` and hop 0's `preflights[].triggers` come from one plan: the same
    entries, a secret header's value masked in both (in neither with --show-secrets)."""
    put = shape("/ok", "PUT", f"X-Api-Key: {SECRET}", "X-Trace-Id: 1")
    report = check.run(put, _send, consent=lambda _: True)
    document = to_dict(report, show_secrets=show_secrets)
    first = document["preflights"][0]["triggers"]
    assert document["preflight"]["triggers"] == first
    assert first is not document["preflight"]["triggers"]
    values = {t["name"]: t["value"] for t in first}
    assert (values["X-Api-Key"] == SECRET) is show_secrets
    assert values["X-Trace-Id"] == "1"
