"""Tokens, header values, `#token` lists and MIME types (Fetch §2.2, MIME Sniffing §4.4)."""

from __future__ import annotations

import pytest

from cors_probe.policy.grammar import (
    is_token,
    is_valid_header_name,
    is_valid_header_value,
    parse_mime_type,
    parse_token_list,
    trim,
)

TOKENS = [
    ("GET", True),
    ("patch", True),
    ("X-Api-Key", True),
    ("!#$%&'*+-.^_`|~", True),
    ("", False),
    ("GE T", False),
    ("PUT;", False),
    ("(PUT)", False),
    ('"PUT"', False),
    ("Ä", False),
    ("a/b", False),
    ("a@b", False),
]


@pytest.mark.parametrize(("text", "expected"), TOKENS)
def test_is_token(text: str, expected: bool) -> None:
    assert is_token(text) is expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("X-A", True), ("Content-Type", True), ("Bad Name", False), ("", False), ("X-Ä", False)],
)
def test_header_names_are_tokens(name: str, expected: bool) -> None:
    assert is_valid_header_name(name) is expected


HEADER_VALUES = [
    ("abc", True),
    ("", True),
    ("a b", True),
    ("a\tb", True),
    ("a\x01b", True),  # fetch() accepts it; it is only an unsafe byte for the safelist
    ("a\nb", False),
    ("a\rb", False),
    ("a\x00b", False),
    (" a", False),  # values are normalised (trimmed) before they are validated
    ("a\t", False),
]


@pytest.mark.parametrize(("value", "expected"), HEADER_VALUES)
def test_header_values(value: str, expected: bool) -> None:
    assert is_valid_header_value(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(" a ", "a"), ("\ta\t", "a"), ("a b", "a b"), ("", ""), (" \t ", "")],
)
def test_trim_strips_tabs_and_spaces_only(value: str, expected: str) -> None:
    assert trim(value) == expected


TOKEN_LISTS: list[tuple[str | None, tuple[str, ...], str | None]] = [
    (None, (), None),
    ("", (), None),
    ("GET", ("GET",), None),
    ("GET, POST", ("GET", "POST"), None),
    ("GET,POST", ("GET", "POST"), None),
    ("  GET  ,\tPOST  ", ("GET", "POST"), None),
    ("content-type,,", ("content-type",), None),  # Chromium skips empty items
    (",,", (), None),
    ("*", ("*",), None),
    ("*, Authorization", ("*", "Authorization"), None),
    ("PUT;", (), "PUT;"),
    ("GET, PUT GET", ("GET",), "PUT GET"),
    ("content type", (), "content type"),
    ('"PUT"', (), '"PUT"'),
    ("(PUT)", (), "(PUT)"),
]


@pytest.mark.parametrize(("value", "items", "bad"), TOKEN_LISTS)
def test_parse_token_list_as_chromium(
    value: str | None, items: tuple[str, ...], bad: str | None
) -> None:
    parsed = parse_token_list(value)
    assert parsed.bad_item == bad
    assert parsed.ok is (bad is None)
    if bad is None:
        assert parsed.items == items


MIME_TYPES: list[tuple[str, str | None]] = [
    ("text/plain", "text/plain"),
    ("TEXT/PLAIN", "text/plain"),
    ("text/plain;charset=utf-8", "text/plain"),
    ("text/plain ; charset=utf-8", "text/plain"),
    ("application/json", "application/json"),
    ("multipart/form-data; boundary=x", "multipart/form-data"),
    ("application/x-www-form-urlencoded", "application/x-www-form-urlencoded"),
    ("  text/html  ", "text/html"),
    ("text", None),
    ("/plain", None),
    ("text/", None),
    ("te xt/plain", None),
    ("text/pl ain", None),
    ("", None),
]


@pytest.mark.parametrize(("value", "essence"), MIME_TYPES)
def test_parse_mime_type_essence(value: str, essence: str | None) -> None:
    parsed = parse_mime_type(value)
    assert (parsed.essence if parsed is not None else None) == essence


def test_mime_parameters_are_kept_lower_cased_by_name() -> None:
    parsed = parse_mime_type('text/plain; Charset="UTF-8"; bad; x=')
    assert parsed is not None
    assert parsed.parameters == (("charset", "UTF-8"),)
