"""The preflight a browser sends (§3) and how its response is judged, in Chromium's order (§4)."""

from __future__ import annotations

import pytest

from cors_probe.codes import FindingCode as C
from cors_probe.model import Headers, WireResponse
from cors_probe.policy.preflight import check, plan
from cors_probe.policy.safelist import preflight_triggers

PAGE = "https://app.example"
URL = "https://api.example/v1/tags"
ACAO = ("Access-Control-Allow-Origin", PAGE)


def test_the_preflight_request_is_exactly_the_browsers() -> None:
    triggers = preflight_triggers(
        "PUT", Headers((("X-B", "1"), ("Content-Type", "application/json"), ("x-a", "2")))
    )
    made = plan(URL, PAGE, "PUT", triggers)
    assert made.required
    assert made.request is not None
    assert made.request.method == "OPTIONS"
    assert made.request.url == URL
    assert made.request.body is None
    assert made.request.headers.pairs == (
        ("Accept", "*/*"),
        ("Access-Control-Request-Method", "PUT"),
        ("Access-Control-Request-Headers", "content-type,x-a,x-b"),
        ("Origin", PAGE),
    )


def test_no_request_headers_line_when_only_the_method_triggers() -> None:
    made = plan(URL, PAGE, "DELETE", preflight_triggers("DELETE", Headers()))
    assert made.request is not None
    assert "Access-Control-Request-Headers" not in made.request.headers


def test_no_preflight_for_a_simple_request() -> None:
    made = plan(URL, PAGE, "GET", preflight_triggers("GET", Headers((("Accept", "a/b"),))))
    assert not made.required
    assert made.request is None


# (id, status, headers, method, unsafe names, credentials, expected code or None)
RESPONSES: list[
    tuple[str, int, tuple[tuple[str, str], ...], str, tuple[str, ...], bool, C | None]
] = [
    ("ok-204", 204, (ACAO, ("Access-Control-Allow-Methods", "PUT")), "PUT", (), False, None),
    ("ok-200", 200, (ACAO, ("Access-Control-Allow-Methods", "PUT")), "PUT", (), False, None),
    ("status-299", 299, (ACAO, ("Access-Control-Allow-Methods", "PUT")), "PUT", (), False, None),
    (
        "status-404",
        404,
        (ACAO, ("Access-Control-Allow-Methods", "PUT")),
        "PUT",
        (),
        False,
        C.PREFLIGHT_NOT_OK,
    ),
    ("status-500", 500, (ACAO,), "PUT", (), False, C.PREFLIGHT_NOT_OK),
    ("status-304", 304, (ACAO,), "PUT", (), False, C.PREFLIGHT_NOT_OK),
    ("acao-before-status", 405, (), "PUT", (), False, C.ACAO_MISSING),
    ("redirect-first", 301, (("Location", "/x"),), "PUT", (), False, C.PREFLIGHT_REDIRECT),
    ("redirect-308", 308, (ACAO, ("Location", "/x")), "PUT", (), False, C.PREFLIGHT_REDIRECT),
    ("3xx-without-location", 302, (ACAO,), "PUT", (), False, C.PREFLIGHT_NOT_OK),
    ("method-missing", 204, (ACAO,), "PUT", (), False, C.METHOD_NOT_ALLOWED),
    (
        "method-case",
        204,
        (ACAO, ("Access-Control-Allow-Methods", "put")),
        "PUT",
        (),
        False,
        C.METHOD_NOT_ALLOWED,
    ),
    (
        "patch-lower-listed-upper",
        204,
        (ACAO, ("Access-Control-Allow-Methods", "PATCH")),
        "patch",
        (),
        False,
        C.METHOD_NOT_ALLOWED,
    ),
    (
        "patch-lower-listed-lower",
        204,
        (ACAO, ("Access-Control-Allow-Methods", "patch")),
        "patch",
        (),
        False,
        None,
    ),
    ("method-wildcard", 204, (ACAO, ("Access-Control-Allow-Methods", "*")), "PUT", (), False, None),
    (
        "method-wildcard-credentials",
        204,
        (ACAO, ("Access-Control-Allow-Credentials", "true"), ("Access-Control-Allow-Methods", "*")),
        "PUT",
        (),
        True,
        C.METHOD_NOT_ALLOWED,
    ),
    (
        "safelisted-method-needs-no-listing",
        204,
        (ACAO,),
        "POST",
        ("x-a",),
        False,
        C.HEADER_NOT_ALLOWED,
    ),
    (
        "acam-unparsable",
        204,
        (ACAO, ("Access-Control-Allow-Methods", "PUT;")),
        "PUT",
        (),
        False,
        C.ACAM_UNPARSABLE,
    ),
    (
        "acah-unparsable",
        204,
        (
            ACAO,
            ("Access-Control-Allow-Methods", "PUT"),
            ("Access-Control-Allow-Headers", "content type"),
        ),
        "PUT",
        ("content-type",),
        False,
        C.ACAH_UNPARSABLE,
    ),
    (
        "acam-before-acah",
        204,
        (ACAO, ("Access-Control-Allow-Methods", "PUT;"), ("Access-Control-Allow-Headers", "a b")),
        "PUT",
        ("x",),
        False,
        C.ACAM_UNPARSABLE,
    ),
    (
        "header-listed",
        204,
        (ACAO, ("Access-Control-Allow-Headers", "Content-Type")),
        "POST",
        ("content-type",),
        False,
        None,
    ),
    (
        "header-missing",
        204,
        (ACAO, ("Access-Control-Allow-Headers", "x-other")),
        "POST",
        ("content-type",),
        False,
        C.HEADER_NOT_ALLOWED,
    ),
    (
        "header-wildcard",
        204,
        (ACAO, ("Access-Control-Allow-Headers", "*")),
        "POST",
        ("content-type", "x-a"),
        False,
        None,
    ),
    (
        "header-wildcard-credentials",
        204,
        (ACAO, ("Access-Control-Allow-Credentials", "true"), ("Access-Control-Allow-Headers", "*")),
        "POST",
        ("content-type",),
        True,
        C.HEADER_NOT_ALLOWED,
    ),
    (
        "authorization-under-wildcard",
        204,
        (ACAO, ("Access-Control-Allow-Headers", "*")),
        "GET",
        ("authorization",),
        False,
        None,
    ),
    (
        "acac-on-preflight",
        204,
        (ACAO, ("Access-Control-Allow-Methods", "PUT")),
        "PUT",
        (),
        True,
        C.ACAC_NOT_TRUE,
    ),
    (
        "wildcard-origin-credentials",
        204,
        (("Access-Control-Allow-Origin", "*"),),
        "PUT",
        (),
        True,
        C.WILDCARD_WITH_CREDENTIALS,
    ),
]


@pytest.mark.parametrize(
    ("status", "headers", "method", "names", "credentials", "code"),
    [c[1:] for c in RESPONSES],
    ids=[c[0] for c in RESPONSES],
)
def test_preflight_response_checks(
    status: int,
    headers: tuple[tuple[str, str], ...],
    method: str,
    names: tuple[str, ...],
    credentials: bool,
    code: C | None,
) -> None:
    result = check(
        WireResponse(status, Headers(headers)),
        origin=PAGE,
        method=method,
        unsafe_names=names,
        credentials=credentials,
    )
    assert (result.failure.code if result.failure is not None else None) is code


@pytest.mark.parametrize(
    ("allow_headers", "flagged"),
    [("*", True), ("*, Authorization", False), ("authorization", False)],
)
def test_authorization_under_the_wildcard_is_flagged(allow_headers: str, flagged: bool) -> None:
    result = check(
        WireResponse(204, Headers((ACAO, ("Access-Control-Allow-Headers", allow_headers)))),
        origin=PAGE,
        method="GET",
        unsafe_names=("authorization",),
        credentials=False,
    )
    assert result.failure is None
    assert result.wildcard_authorization is flagged


def test_the_first_missing_header_in_check_order_is_named() -> None:
    result = check(
        WireResponse(204, Headers((ACAO, ("Access-Control-Allow-Headers", "x-b")))),
        origin=PAGE,
        method="GET",
        unsafe_names=("x-a", "x-b", "x-c"),
        credentials=False,
    )
    assert result.failure is not None
    assert result.failure.detail["name"] == "x-a"
