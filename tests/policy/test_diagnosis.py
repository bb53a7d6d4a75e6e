"""Which layer answered: evidence (status, headers, the body's start) -> diagnosis detail keys."""

from __future__ import annotations

import pytest

from cors_probe.model import DetailValue, Headers, WireResponse
from cors_probe.policy.diagnosis import EXCERPT_CHARS, diagnose, excerpt

ACAO = ("Access-Control-Allow-Origin", "https://app.example")
ACAM = ("Access-Control-Allow-Methods", "GET, POST")
ACAH = ("Access-Control-Allow-Headers", "content-type")


def answer(status: int, *headers: tuple[str, str], body: bytes = b"") -> WireResponse:
    return WireResponse(status, Headers(headers), body=body, body_bytes=len(body))


@pytest.mark.parametrize(
    ("response", "preflight", "expected"),
    [
        # Starlette's CORSMiddleware: 400 and what it refused, in the body
        (
            answer(400, ACAM, ACAH, body=b"Disallowed CORS origin"),
            True,
            {"diagnosis": "cors-layer-refused", "refused": "origin"},
        ),
        (
            answer(400, ACAO, ACAM, body=b"Disallowed CORS method, headers"),
            True,
            {"diagnosis": "cors-layer-refused", "refused": "method, headers"},
        ),
        (
            answer(400, body=b"disallowed cors HEADERS"),
            True,
            {"diagnosis": "cors-layer-refused", "refused": "headers"},
        ),
        # authentication before CORS
        (answer(401), True, {"diagnosis": "auth-before-cors"}),
        (
            answer(403, ("WWW-Authenticate", 'Bearer realm="api"')),
            True,
            {"diagnosis": "auth-before-cors"},
        ),
        (answer(403), True, {}),  # a 403 alone names no layer
        # OPTIONS not routed: no CORS header on a 404/405/501
        (answer(404), True, {"diagnosis": "options-not-routed"}),
        (answer(405, ("Allow", "GET, POST")), True, {"diagnosis": "options-not-routed"}),
        (answer(501), True, {"diagnosis": "server-error"}),
        (answer(405, ACAM), True, {}),
        (answer(404), False, {}),  # only preflights tell about routing
        # a 2xx preflight: the CORS layer answered without the origin, or nothing CORS at all
        (answer(204, ACAM), True, {"diagnosis": "origin-not-allowed"}),
        (answer(200, ACAH, ("Vary", "Origin")), True, {"diagnosis": "origin-not-allowed"}),
        (answer(200, ("Allow", "GET, OPTIONS")), True, {"diagnosis": "no-cors-answer"}),
        (answer(204, ("Vary", "Accept, origin")), True, {"diagnosis": "origin-not-allowed"}),
        (answer(204, ("Vary", "Origins")), True, {"diagnosis": "no-cors-answer"}),
        (answer(204, ACAO, ACAM), True, {}),
        (answer(200), False, {}),
        # 5xx
        (answer(500), False, {"diagnosis": "server-error"}),
        (answer(502), True, {"diagnosis": "server-error"}),
    ],
)
def test_the_answer_names_the_layer(
    response: WireResponse, preflight: bool, expected: dict[str, DetailValue]
) -> None:
    facts = diagnose(response, preflight=preflight)
    facts.pop("body", None)
    assert facts == expected


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (answer(500, body=b'{"error":  "boom"}\n'), '{"error": "boom"}'),
        (answer(400, body=b"bad\x1b[31m red"), "bad\\x1b[31m red"),
        (answer(400, body=b"caf\xc3\xa9 \xff"), "café \ufffd"),
        (answer(400, body=b"x" * 500), "x" * EXCERPT_CHARS + "…"),
        (
            WireResponse(400, Headers(), body=b"short", body_bytes=9000, body_truncated=True),
            "short…",
        ),
        (answer(400, ("Content-Encoding", "gzip"), body=b"\x1f\x8b\x08"), ""),
        (answer(400), ""),
    ],
)
def test_the_body_is_quoted_safely(response: WireResponse, expected: str) -> None:
    assert excerpt(response) == expected
    assert diagnose(response, preflight=True).get("body", "") == expected
