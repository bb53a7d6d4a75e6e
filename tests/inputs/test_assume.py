"""`--assume-header` with a selector: `[preflight|actual URL] Name: value`."""

from __future__ import annotations

import pytest

from cors_probe.errors import UsageError
from cors_probe.inputs.assume import parse_assumption
from cors_probe.model import ExchangeKind, Headers, WireRequest
from cors_probe.usecases.assume import Assumed

PREFLIGHT = WireRequest(
    "OPTIONS", "https://b.example/x", Headers.of(("Access-Control-Request-Method", "PUT"))
)
ACTUAL = WireRequest("PUT", "https://b.example/x", Headers())
ELSEWHERE = WireRequest("GET", "https://a.example/", Headers())


@pytest.mark.parametrize(
    ("text", "expected", "applies"),
    [
        ("Vary: Origin", Assumed("Vary", "Origin"), (True, True, True)),
        (
            "[preflight] Access-Control-Allow-Methods: PUT",
            Assumed("Access-Control-Allow-Methods", "PUT", ExchangeKind.PREFLIGHT),
            (True, False, False),
        ),
        (
            "[ACTUAL] X: 1",
            Assumed("X", "1", ExchangeKind.ACTUAL),
            (False, True, True),
        ),
        (
            "[actual https://B.example:443/x#top] Access-Control-Allow-Origin: *",
            Assumed("Access-Control-Allow-Origin", "*", ExchangeKind.ACTUAL, "https://b.example/x"),
            (False, True, False),
        ),
        (
            " [https://b.example/x preflight]X: 1",
            Assumed("X", "1", ExchangeKind.PREFLIGHT, "https://b.example/x"),
            (True, False, False),
        ),
        (
            "[https://b.example/x] X: 1",
            Assumed("X", "1", None, "https://b.example/x"),
            (True, True, False),
        ),
    ],
)
def test_a_selector_narrows_the_responses(
    text: str, expected: Assumed, applies: tuple[bool, bool, bool]
) -> None:
    assumed = parse_assumption(text)
    assert assumed == expected
    assert tuple(assumed.applies(r) for r in (PREFLIGHT, ACTUAL, ELSEWHERE)) == applies


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[preflight X: 1", "no closing ']'"),
        ("[redirect] X: 1", "neither preflight, actual nor an http(s) URL"),
        ("[ftp://b.example/] X: 1", "neither preflight, actual nor an http(s) URL"),
        ("[preflight actual] X: 1", "one stage"),
        ("[https://a.example/ https://b.example/] X: 1", "one URL"),
        ("[preflight] X 1", "no colon"),
        ("[actual] Bad Name: 1", "not a valid header name"),
    ],
)
def test_a_bad_selector_is_one_clear_error(text: str, says: str) -> None:
    with pytest.raises(UsageError, match=says.replace("(", r"\(").replace(")", r"\)")):
        parse_assumption(text)
