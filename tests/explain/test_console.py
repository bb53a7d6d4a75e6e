"""Every console line each engine prints for a finding, in order (as the referee measured)."""

from __future__ import annotations

import pytest

from cors_probe.codes import FindingCode as C
from cors_probe.explain.catalogue import explain
from cors_probe.explain.console import console_lines
from cors_probe.model import Finding, Severity, Stage

URL = "http://localhost:8000/s/x"
PAGE = "http://127.0.0.1:3000"
FF = (
    "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at "
)
FAILED = f"{FF}{URL}. (Reason: CORS request did not succeed). Status code: (null)."
WEBKIT_END = f"Fetch API cannot load {URL} due to access control checks."


def finding(code: C, stage: Stage, status: int | None, **detail: str | int) -> Finding:
    return Finding(code, Severity.ERROR, stage, URL, "", PAGE, status, detail=detail)


CASES = [
    (
        "missing ACAO on the actual response: one line each, then the engine's own",
        finding(C.ACAO_MISSING, Stage.ACTUAL, 200, request_origin=PAGE),
        {
            "chrome": 2,
            "firefox": [
                f"{FF}{URL}. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). "
                "Status code: 200."
            ],
            "safari": [
                f"Origin {PAGE} is not allowed by Access-Control-Allow-Origin. Status code: 200",
                WEBKIT_END,
            ],
        },
    ),
    (
        "a failed preflight: Firefox adds that the request did not succeed",
        finding(C.PREFLIGHT_NOT_OK, Stage.PREFLIGHT, 500),
        {
            "chrome": 2,
            "firefox": [
                f"{FF}{URL}. (Reason: CORS preflight response did not succeed). Status code: 500.",
                FAILED,
            ],
            "safari": ["Preflight response is not successful. Status code: 500", WEBKIT_END],
        },
    ),
    (
        "a missing ACAO after a tainting redirect: WebKit names the null origin",
        finding(C.ACAO_MISSING, Stage.ACTUAL, 200, request_origin="null"),
        {
            "safari": [
                "Origin null is not allowed by Access-Control-Allow-Origin. Status code: 200",
                WEBKIT_END,
            ]
        },
    ),
    (
        "a redirect's own CORS check: WebKit tells where it was going",
        finding(C.ACAO_MISSING, Stage.ACTUAL, 302, request_origin=PAGE, location=URL + "/next"),
        {
            "firefox": [
                f"{FF}{URL}. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). "
                "Status code: 302.",
                FAILED,
            ],
            "safari": [
                f"Cross-origin redirection to {URL}/next denied by Cross-Origin Resource Sharing "
                f"policy: Origin {PAGE} is not allowed by Access-Control-Allow-Origin. "
                "Status code: 302",
                WEBKIT_END,
            ],
        },
    ),
    (
        "a redirected preflight: three lines in Firefox",
        finding(C.PREFLIGHT_REDIRECT, Stage.PREFLIGHT, 301, location=URL + "/"),
        {
            "firefox": [
                f"{FF}{URL}. (Reason: CORS request external redirect not allowed).",
                f"{FF}{URL}. (Reason: CORS preflight response did not succeed). Status code: 301.",
                FAILED,
            ]
        },
    ),
    (
        "too many redirects",
        finding(C.TOO_MANY_REDIRECTS, Stage.ACTUAL, 302),
        {
            "chrome": ["Failed to load resource: net::ERR_TOO_MANY_REDIRECTS"],
            "firefox": [FAILED],
            "safari": ["Load cannot follow more than 20 redirections", WEBKIT_END],
        },
    ),
    (
        "a header WebKit names as the script wrote it",
        finding(C.HEADER_NOT_ALLOWED, Stage.PREFLIGHT, 204, name="x-api-key", written="X-Api-Key"),
        {
            "safari": [
                "Request header field X-Api-Key is not allowed by Access-Control-Allow-Headers.",
                WEBKIT_END,
            ]
        },
    ),
]


@pytest.mark.parametrize(("why", "seen", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_engines_lines(why: str, seen: Finding, expected: dict[str, int | list[str]]) -> None:
    lines = console_lines(seen, explain(seen))
    for engine, want in expected.items():
        if isinstance(want, int):  # Chromium: its CORS line, then the network error
            assert len(lines[engine]) == want, why
            assert lines[engine][0].startswith("Access to fetch at ")
            assert lines[engine][1] == "Failed to load resource: net::ERR_FAILED"
        else:
            assert list(lines[engine]) == want, why


def test_a_warning_prints_nothing_more_than_its_catalogue_line() -> None:
    warning = Finding(C.VARY_ORIGIN_MISSING, Severity.WARNING, Stage.ACTUAL, URL, "", PAGE, 200)
    lines = console_lines(warning, explain(warning))
    assert all(len(v) <= 1 for v in lines.values())
