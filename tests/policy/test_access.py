"""The CORS check of a response and what script may read (§5.1-5.3), in Chromium's order."""

from __future__ import annotations

import pytest

from cors_probe.codes import FindingCode as C
from cors_probe.model import Headers
from cors_probe.policy.access import cors_check, readable_headers

PAGE = "https://app.example"
ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"

# (id, response headers, credentials, expected failure code or None)
CHECKS: list[tuple[str, tuple[tuple[str, str], ...], bool, C | None]] = [
    ("exact", ((ACAO, PAGE),), False, None),
    ("exact-credentials", ((ACAO, PAGE), (ACAC, "true")), True, None),
    ("missing", (), False, C.ACAO_MISSING),
    ("missing-credentials", (), True, C.ACAO_MISSING),
    ("wildcard", ((ACAO, "*"),), False, None),
    ("wildcard-padded", ((ACAO, " * "),), False, None),
    ("wildcard-credentials", ((ACAO, "*"), (ACAC, "true")), True, C.WILDCARD_WITH_CREDENTIALS),
    ("wildcard-twice", ((ACAO, "*"), (ACAO, "*")), False, C.ACAO_MULTIPLE),
    ("wrong-origin", ((ACAO, "https://evil.example"),), False, C.ACAO_MISMATCH),
    ("trailing-slash", ((ACAO, PAGE + "/"),), False, C.ACAO_MISMATCH),
    ("upper-case", ((ACAO, "HTTPS://APP.EXAMPLE"),), False, C.ACAO_MISMATCH),
    ("scheme", ((ACAO, "http://app.example"),), False, C.ACAO_MISMATCH),
    ("default-port-spelled", ((ACAO, "https://app.example:443"),), False, C.ACAO_MISMATCH),
    ("null-for-real-origin", ((ACAO, "null"),), False, C.ACAO_MISMATCH),
    ("two-same", ((ACAO, PAGE), (ACAO, PAGE)), False, C.ACAO_MULTIPLE),
    ("two-different", ((ACAO, PAGE), (ACAO, "https://b.example")), False, C.ACAO_MULTIPLE),
    ("comma-list", ((ACAO, f"{PAGE}, https://b.example"),), False, C.ACAO_MULTIPLE),
    ("space-list", ((ACAO, f"{PAGE} https://b.example"),), False, C.ACAO_MULTIPLE),
    ("padded", ((ACAO, f"  {PAGE}  "),), False, None),
    ("empty", ((ACAO, ""),), False, C.ACAO_INVALID),
    ("quoted", ((ACAO, f'"{PAGE}"'),), False, C.ACAO_INVALID),
    ("not-a-url", ((ACAO, "app.example"),), False, C.ACAO_INVALID),
    ("with-path", ((ACAO, PAGE + "/app"),), False, C.ACAO_MISMATCH),
    ("acac-missing", ((ACAO, PAGE),), True, C.ACAC_NOT_TRUE),
    ("acac-capital", ((ACAO, PAGE), (ACAC, "True")), True, C.ACAC_NOT_TRUE),
    ("acac-false", ((ACAO, PAGE), (ACAC, "false")), True, C.ACAC_NOT_TRUE),
    ("acac-one", ((ACAO, PAGE), (ACAC, "1")), True, C.ACAC_NOT_TRUE),
    ("acac-padded", ((ACAO, PAGE), (ACAC, " true ")), True, None),
    ("acac-twice", ((ACAO, PAGE), (ACAC, "true"), (ACAC, "true")), True, C.ACAC_NOT_TRUE),
    ("acac-ignored-without-credentials", ((ACAO, PAGE), (ACAC, "false")), False, None),
    ("header-name-case", (("access-control-allow-origin", PAGE),), False, None),
]


@pytest.mark.parametrize(
    ("headers", "credentials", "code"), [c[1:] for c in CHECKS], ids=[c[0] for c in CHECKS]
)
def test_cors_check(
    headers: tuple[tuple[str, str], ...], credentials: bool, code: C | None
) -> None:
    failure = cors_check(Headers(headers), PAGE, credentials)
    assert (failure.code if failure is not None else None) is code


@pytest.mark.parametrize(
    ("headers", "credentials", "code"),
    [
        (((ACAO, "null"),), False, None),
        (((ACAO, "*"),), False, None),
        ((), False, C.ACAO_MISSING),
        (((ACAO, "null"), (ACAC, "true")), True, None),
    ],
)
def test_the_opaque_origin_null(
    headers: tuple[tuple[str, str], ...], credentials: bool, code: C | None
) -> None:
    failure = cors_check(Headers(headers), "null", credentials)
    assert (failure.code if failure is not None else None) is code


BASE = (
    ("Content-Type", "application/json"),
    ("Content-Length", "2"),
    ("Cache-Control", "no-cache"),
    ("X-Custom", "1"),
    ("X-Other", "2"),
    ("Set-Cookie", "a=b"),
)
EXPOSE: list[tuple[str, str | None, bool, set[str]]] = [
    ("none", None, False, {"content-type", "content-length", "cache-control"}),
    ("one", "X-Custom", False, {"content-type", "content-length", "cache-control", "x-custom"}),
    (
        "case",
        "x-CUSTOM, X-Other",
        False,
        {"content-type", "content-length", "cache-control", "x-custom", "x-other"},
    ),
    (
        "wildcard",
        "*",
        False,
        {
            "content-type",
            "content-length",
            "cache-control",
            "x-custom",
            "x-other",
            "access-control-expose-headers",
        },
    ),
    ("wildcard-credentials", "*", True, {"content-type", "content-length", "cache-control"}),
    (
        "wildcard-and-name-credentials",
        "*, X-Custom",
        True,
        {"content-type", "content-length", "cache-control", "x-custom"},
    ),
    ("set-cookie-never", "Set-Cookie", False, {"content-type", "content-length", "cache-control"}),
    ("unparsable", "X-Custom;", False, {"content-type", "content-length", "cache-control"}),
]


@pytest.mark.parametrize(
    ("expose", "credentials", "readable"), [c[1:] for c in EXPOSE], ids=[c[0] for c in EXPOSE]
)
def test_readable_headers(expose: str | None, credentials: bool, readable: set[str]) -> None:
    headers = BASE + ((("Access-Control-Expose-Headers", expose),) if expose else ())
    can, cannot = readable_headers(Headers(headers), credentials)
    assert set(can) == readable
    assert "set-cookie" in cannot
    assert set(can).isdisjoint(cannot)
