"""Words that must not mislead: URLs kept as they are, fixes that do not over-grant, and
explanations that match what happened."""

from __future__ import annotations

from cors_probe.codes import FindingCode as C
from cors_probe.explain.catalogue import explain
from cors_probe.model import Finding, Severity, Stage

SIGNED = "https://bucket.example/a%2Fb?X-Amz-Signature=AbC"


def test_a_sentence_that_starts_with_a_url_keeps_the_urls_case() -> None:
    redirected = Finding(
        C.ACAO_MISSING,
        Severity.ERROR,
        Stage.ACTUAL,
        SIGNED,
        "https://api.example/x",
        "https://app.example",
        200,
    )
    message = explain(redirected).message
    assert message.startswith("The response (status 200) from the redirect target ")
    assert SIGNED in message


def test_the_allow_headers_fix_lists_names_rather_than_reflecting_the_request() -> None:
    missing = Finding(
        C.HEADER_NOT_ALLOWED, Severity.ERROR, Stage.PREFLIGHT, SIGNED, detail={"name": "x-api-key"}
    )
    fix = explain(missing).fix
    assert fix.startswith("List x-api-key in Access-Control-Allow-Headers")
    assert "would grant every header to every caller" in fix


def test_a_request_that_passed_its_preflight_is_not_said_to_have_had_none() -> None:
    def reached(preflighted: bool) -> str:
        finding = Finding(
            C.REQUEST_REACHED_SERVER,
            Severity.WARNING,
            Stage.ACTUAL,
            SIGNED,
            status=200,
            detail={"method": "PUT", "preflighted": preflighted},
        )
        return explain(finding).message

    assert "sent after its preflight passed" in reached(True)
    assert "sent without a preflight" in reached(False)
