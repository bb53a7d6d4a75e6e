"""inputs/unclosed.py: what a text that did not parse leaves open, and where it opened."""

from __future__ import annotations

import pytest

from cors_probe.inputs.unclosed import Unclosed, find_unclosed

CASES = [
    ("bash", "curl 'http://a.test/", Unclosed("quote", "'", 1, 6)),
    ("bash", "curl 'a' \\\n -H \"x: y", Unclosed("quote", '"', 2, 5)),
    ("bash", "curl $'it\\'s", Unclosed("quote", "$'", 1, 6)),
    ("bash", "curl 'it'\\''s' \"a\\\"b\"", None),
    ("bash", "curl http://a.test/ -H 'x: (y'", None),
    ("powershell", "Invoke-WebRequest -Uri 'it''s", Unclosed("quote", "'", 1, 24)),
    ("powershell", 'Invoke-WebRequest -Uri "a`"b" -Body \'x\'', None),
    ("javascript", 'fetch("a", {headers: {"x": "y"}', Unclosed("bracket", "(", 1, 6)),
    ("javascript", 'fetch("a\\"b", `c', Unclosed("quote", "`", 1, 15)),
    ("javascript", 'fetch("a") // (\n/* { */', None),
    ("javascript", 'fetch("a(", {"b": "[{"})', None),
]


@pytest.mark.parametrize(("language", "text", "expected"), CASES)
def test_the_first_thing_left_open_is_named(
    language: str, text: str, expected: Unclosed | None
) -> None:
    assert find_unclosed(language, text) == expected
