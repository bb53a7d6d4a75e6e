"""Warnings that do not block today (§6): Vary, wildcard with ACAC, Max-Age (LNA: test_gates)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cors_probe.codes import FindingCode as C
from cors_probe.model import Headers, Origin, Severity, Stage, WireResponse
from cors_probe.policy.advice import (
    PREFLIGHT_ADVICE,
    RESPONSE_ADVICE,
    Rule,
    Seen,
    advise,
    effective_max_age,
    max_age,
    reflected_with_credentials,
    vary_origin,
    wildcard_with_acac,
)
from cors_probe.policy.browsers import CHROMIUM, Browser
from cors_probe.policy.findings import Where

PAGE = "https://app.example"
WHERE = Where(Stage.ACTUAL, "https://api.example/x", "", PAGE)
ACAO = "Access-Control-Allow-Origin"
HTTPS_PAGE = Origin("https", "app.example")


def seen(
    headers: tuple[tuple[str, str], ...] = (),
    *,
    page: Origin = HTTPS_PAGE,
    server_ip: str | None = None,
    elapsed_ms: float = 12.0,
    browser: Browser = CHROMIUM,
) -> Seen:
    response = WireResponse(200, Headers(headers), elapsed_ms=elapsed_ms, server_ip=server_ip)
    return Seen(WHERE, response, PAGE, page, browser)


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
    finding = vary_origin(seen(headers))
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
    assert (wildcard_with_acac(seen(headers)) is not None) is warned


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
    assert effective_max_age(value, CHROMIUM) == seconds


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
    headers = (("Access-Control-Max-Age", value),) if value is not None else ()
    finding = max_age(seen(headers))
    assert (finding.code if finding else None) is code
    assert (finding.severity if finding else None) is severity


DETAILS: list[tuple[str, Rule, Seen, dict[str, str | int | float | bool]]] = [
    ("max-age-missing", max_age, seen(elapsed_ms=12.3), {"preflight_ms": 12.3}),
    (
        "max-age-capped",
        max_age,
        seen((("Access-Control-Max-Age", "86400"),)),
        {"chrome": 7200, "firefox": 86400, "safari": 600},
    ),
    (
        "max-age-invalid",
        max_age,
        seen((("Access-Control-Max-Age", "soon"),)),
        {"chrome": 5, "firefox": 0, "safari": 5},
    ),
]


@pytest.mark.parametrize(
    ("rule", "context", "detail"), [d[1:] for d in DETAILS], ids=[d[0] for d in DETAILS]
)
def test_advice_details_are_typed_facts(
    rule: Rule, context: Seen, detail: dict[str, str | int | float | bool]
) -> None:
    finding = rule(context)
    assert finding is not None
    assert dict(finding.detail) == detail
    assert [type(v) for v in finding.detail.values()] == [type(v) for v in detail.values()]


def test_a_finding_detail_is_read_only() -> None:
    (finding,) = advise((max_age,), seen())
    with pytest.raises(TypeError):
        finding.detail["preflight_ms"] = 0.0  # type: ignore[index]


def test_the_stage_lists_keep_the_report_order() -> None:
    context = seen(
        ((ACAO, "*"), ("Access-Control-Allow-Credentials", "true")), server_ip="127.0.0.1"
    )
    preflight = [f.code for f in advise(PREFLIGHT_ADVICE, context)]
    response = [f.code for f in advise(RESPONSE_ADVICE, context)]
    assert preflight == [C.MAX_AGE_MISSING, C.WILDCARD_WITH_ACAC]
    assert response == [C.WILDCARD_WITH_ACAC]


CAPS: list[tuple[str, Browser, str, Severity, int]] = [
    ("chromium-7200-is-info", CHROMIUM, "7200", Severity.INFO, 7200),
    ("a-1-hour-cap-warns", replace(CHROMIUM, max_age_cap=3600), "7200", Severity.WARNING, 3600),
    ("chromium-86400-warns", CHROMIUM, "86400", Severity.WARNING, 7200),
]


@pytest.mark.parametrize(
    ("browser", "value", "severity", "seconds"), [c[1:] for c in CAPS], ids=[c[0] for c in CAPS]
)
def test_the_browsers_max_age_cap_is_read(
    browser: Browser, value: str, severity: Severity, seconds: int
) -> None:
    finding = max_age(seen((("Access-Control-Max-Age", value),), browser=browser))
    assert finding is not None
    assert (finding.code, finding.severity) == (C.MAX_AGE_CAPPED, severity)
    assert finding.detail["chrome"] == seconds


@pytest.mark.parametrize(
    ("origin_given", "request_origin", "acac", "told"),
    [
        (False, PAGE, "true", True),  # cors-probe chose the origin and the server echoed it
        (True, "null", "true", True),  # null can be sent by any site
        (True, PAGE, "true", False),  # the user's own origin, allowed on purpose
        (False, PAGE, "false", False),
        (False, PAGE, None, False),
    ],
)
def test_a_reflected_origin_with_credentials_is_a_security_warning(
    origin_given: bool, request_origin: str, acac: str | None, told: bool
) -> None:
    pairs = [(ACAO, request_origin)]
    if acac is not None:
        pairs.append(("Access-Control-Allow-Credentials", acac))
    found = reflected_with_credentials(
        replace(seen(tuple(pairs)), request_origin=request_origin, origin_given=origin_given)
    )
    assert (found is not None) is told
    if found is not None:
        assert found.code is C.ORIGIN_REFLECTED_WITH_CREDENTIALS
        assert found.detail["origin"] == request_origin
