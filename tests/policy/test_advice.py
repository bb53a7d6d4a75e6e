"""Warnings that do not block today (§6): Vary, wildcard with ACAC, Max-Age, local networks."""

from __future__ import annotations

import pytest

from cors_probe.codes import FindingCode as C
from cors_probe.model import Headers, Origin, Severity, Stage
from cors_probe.policy.advice import (
    Where,
    address_space,
    effective_max_age,
    local_network,
    max_age,
    vary_origin,
    wildcard_with_acac,
)

PAGE = "https://app.example"
WHERE = Where(Stage.ACTUAL, "https://api.example/x", "", PAGE)
ACAO = "Access-Control-Allow-Origin"

VARY = [
    ("echo-without-vary", ((ACAO, PAGE),), True),
    ("echo-with-vary", ((ACAO, PAGE), ("Vary", "Origin")), False),
    ("vary-in-a-list", ((ACAO, PAGE), ("Vary", "Accept-Encoding, origin")), False),
    ("vary-star", ((ACAO, PAGE), ("Vary", "*")), False),
    ("vary-other", ((ACAO, PAGE), ("Vary", "Accept-Encoding")), True),
    ("wildcard-needs-no-vary", ((ACAO, "*"),), False),
    ("no-acao", (), False),
    ("other-origin", ((ACAO, "https://b.example"),), False),
]


@pytest.mark.parametrize(("headers", "warned"), [v[1:] for v in VARY], ids=[v[0] for v in VARY])
def test_vary_origin(headers: tuple[tuple[str, str], ...], warned: bool) -> None:
    finding = vary_origin(WHERE, Headers(headers), PAGE)
    assert (finding is not None) is warned
    if finding is not None:
        assert (finding.code, finding.severity) == (C.VARY_ORIGIN_MISSING, Severity.WARNING)


@pytest.mark.parametrize(
    ("headers", "warned"),
    [
        (((ACAO, "*"), ("Access-Control-Allow-Credentials", "true")), True),
        (((ACAO, "*"),), False),
        (((ACAO, PAGE), ("Access-Control-Allow-Credentials", "true")), False),
    ],
)
def test_wildcard_with_acac(headers: tuple[tuple[str, str], ...], warned: bool) -> None:
    assert (wildcard_with_acac(WHERE, Headers(headers)) is not None) is warned


EFFECTIVE: list[tuple[str | None, dict[str, int]]] = [
    (None, {"chrome": 5, "firefox": 5, "safari": 5}),
    ("", {"chrome": 5, "firefox": 5, "safari": 5}),
    ("0", {"chrome": 0, "firefox": 0, "safari": 0}),
    ("-1", {"chrome": 0, "firefox": 0, "safari": 0}),
    ("600", {"chrome": 600, "firefox": 600, "safari": 600}),
    ("7200", {"chrome": 7200, "firefox": 7200, "safari": 600}),
    ("86400", {"chrome": 7200, "firefox": 86400, "safari": 600}),
    ("999999", {"chrome": 7200, "firefox": 86400, "safari": 600}),
    ("abc", {"chrome": 5, "firefox": 0, "safari": 5}),
]


@pytest.mark.parametrize(("value", "seconds"), EFFECTIVE)
def test_effective_max_age_per_browser(value: str | None, seconds: dict[str, int]) -> None:
    assert effective_max_age(value) == seconds


MAX_AGE: list[tuple[str | None, C | None, Severity | None]] = [
    (None, C.MAX_AGE_MISSING, Severity.WARNING),
    ("abc", C.MAX_AGE_INVALID, Severity.WARNING),
    ("1.5", C.MAX_AGE_INVALID, Severity.WARNING),
    ("600", None, None),
    ("601", C.MAX_AGE_CAPPED, Severity.INFO),
    ("7200", C.MAX_AGE_CAPPED, Severity.INFO),
    ("7201", C.MAX_AGE_CAPPED, Severity.WARNING),
    ("86400", C.MAX_AGE_CAPPED, Severity.WARNING),
    ("0", None, None),
]


@pytest.mark.parametrize(("value", "code", "severity"), MAX_AGE)
def test_max_age_advice(value: str | None, code: C | None, severity: Severity | None) -> None:
    headers = Headers((("Access-Control-Max-Age", value),) if value is not None else ())
    finding = max_age(WHERE, headers, 12.0)
    assert (finding.code if finding else None) is code
    assert (finding.severity if finding else None) is severity


@pytest.mark.parametrize(
    ("address", "space"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("[::1]", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.1", "private"),
        ("172.16.0.1", "private"),
        ("169.254.1.1", "private"),
        ("::ffff:127.0.0.1", "loopback"),
        ("93.184.216.34", "public"),
        ("not-an-ip", "public"),
    ],
)
def test_address_space(address: str, space: str) -> None:
    assert address_space(address) == space


@pytest.mark.parametrize(
    ("page", "server_ip", "warned"),
    [
        (Origin("https", "app.example"), "127.0.0.1", True),
        (Origin("https", "app.example"), "10.0.0.5", True),
        (Origin("https", "app.example"), "93.184.216.34", False),
        (Origin("http", "localhost", 3000), "127.0.0.1", False),
        (Origin("http", "127.0.0.1", 8000), "127.0.0.1", False),
        (Origin("http", "10.0.0.2", 8000), "127.0.0.1", True),
        (Origin("https", "app.example"), None, False),
    ],
)
def test_local_network_access(page: Origin, server_ip: str | None, warned: bool) -> None:
    assert (local_network(WHERE, page, server_ip) is not None) is warned
