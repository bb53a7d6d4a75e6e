"""Every finding code has words: a title, a message and a fix, at every stage and severity it can
be reported with. A code added to `codes.FindingCode` without a catalogue entry fails here."""

from __future__ import annotations

import itertools
from dataclasses import fields, replace

import pytest

from cors_probe.codes import FindingCode
from cors_probe.explain.catalogue import BUILDERS, Explanation, explain
from cors_probe.explain.fixes import header_fixes
from cors_probe.model import Finding, Severity, Stage

# the detail keys some messages read (codes.py documents them per code)
DETAIL = {
    "method": "PUT",
    "location": "https://elsewhere.example/",
    "scheme": "ftp",
    "from_url": "https://api.example/a",
    "to_url": "https://other.example/b",
    "kind": "refused",
    "reason": "connection refused",
    "item": "a b",
    "name": "x-trace-id",
    "lines": "2",
    "request_origin": "https://app.example",
    "preflight_ms": "12",
    "chrome": "7200",
    "firefox": "86400",
    "safari": "600",
    "address": "127.0.0.1",
    "space": "loopback",
    "names": "x-total-count",
}


def finding(code: FindingCode, severity: Severity, stage: Stage) -> Finding:
    return Finding(
        code=code,
        severity=severity,
        stage=stage,
        url="https://api.example/items",
        page_origin="https://app.example",
        status=204,
        header="Access-Control-Allow-Origin",
        value="https://other.example",
        detail=dict(DETAIL),
    )


def test_every_code_has_a_catalogue_entry() -> None:
    missing = sorted(code.value for code in FindingCode if code not in BUILDERS)
    assert missing == []


@pytest.mark.parametrize("code", list(FindingCode))
def test_every_code_has_a_title_a_message_and_a_fix(code: FindingCode) -> None:
    for severity, stage in itertools.product(Severity, Stage):
        words = explain(finding(code, severity, stage))
        for part in (words.title, words.message, words.fix):
            assert part.strip(), (code, severity, stage, words)
            assert "{" not in part, (code, part)  # no placeholder left unfilled
        assert words.title != words.message


def test_a_code_without_an_entry_cannot_be_explained() -> None:
    """What the test above catches: explain() has no fallback words."""
    code = FindingCode.SAME_ORIGIN
    builder = BUILDERS.pop(code)
    try:
        with pytest.raises(KeyError):
            explain(finding(code, Severity.INFO, Stage.REQUEST))
    finally:
        BUILDERS[code] = builder


@pytest.mark.parametrize(
    ("vary", "says"),
    [
        (None, "but it sends no Vary header."),
        ("Accept-Encoding", "but its Vary header is 'Accept-Encoding'."),
    ],
    ids=["absent", "without-origin"],
)
def test_vary_origin_missing_says_what_the_server_sent(vary: str | None, says: str) -> None:
    words = explain(
        Finding(
            FindingCode.VARY_ORIGIN_MISSING,
            Severity.WARNING,
            Stage.ACTUAL,
            url="https://api.example/x",
            header="Vary",
            value=vary,
        )
    )
    assert says in words.message


def test_explain_builds_every_field_of_explanation() -> None:
    """`explain` builds its Explanation field by field: a field added to Explanation must be
    added there too."""
    assert [f.name for f in fields(Explanation)] == [
        "title",
        "message",
        "fix",
        "chrome",
        "firefox",
        "safari",
        "header_fixes",
    ]


@pytest.mark.parametrize("code", list(FindingCode))
def test_explain_equals_the_builders_words_with_their_header_fixes(code: FindingCode) -> None:
    for severity, stage in itertools.product(Severity, Stage):
        seen = finding(code, severity, stage)
        slow = replace(BUILDERS[code](seen), header_fixes=header_fixes(seen))
        assert explain(seen) == slow
