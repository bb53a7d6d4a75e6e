"""model.Headers' look-ups go through an index built at the first one: the same answers as a
scan of the pairs, and no part of equality, hashing, repr, copies or pickles."""

from __future__ import annotations

import pickle
from dataclasses import replace

import pytest

from cors_probe.model import Headers, Origin

PAIRS = (
    (),
    (("Vary", "Origin"),),
    (("Access-Control-Allow-Origin", "*"), ("access-control-allow-origin", "https://a.test")),
    (("X-A", "1"), ("Vary", "Accept"), ("x-a", ""), ("VARY", "Origin"), ("X-A", "3")),
    (("Set-Cookie", "a=1"), ("Content-Type", "text/plain"), ("set-cookie", "b=2")),
    (("\u00c9t\u00e9", "\u00ff"), ("\u00e9t\u00e9", "x")),
)
NAMES = ("vary", "VARY", "x-a", "X-A", "set-cookie", "access-control-allow-origin", "absent", "")


def _scan_all(headers: Headers, name: str) -> list[str]:
    return [v for n, v in headers.pairs if n.lower() == name.lower()]


@pytest.mark.parametrize("pairs", PAIRS)
def test_indexed_look_ups_equal_a_scan(pairs: tuple[tuple[str, str], ...]) -> None:
    headers = Headers(pairs)
    for name in (*NAMES, *(n for n, _ in pairs), *(n.upper() for n, _ in pairs)):
        scanned = _scan_all(headers, name)
        assert headers.get_all(name) == scanned
        assert headers.get(name) == (", ".join(scanned) if scanned else None)
        assert (name in headers) is bool(scanned)
    assert 3 not in headers
    assert headers.lowered_names() == list(dict.fromkeys(n.lower() for n, _ in pairs))


def test_the_index_is_no_part_of_the_value() -> None:
    looked_up, fresh = Headers.of(("A", "1"), ("a", "2")), Headers.of(("A", "1"), ("a", "2"))
    assert looked_up.get("a") == "1, 2"
    assert looked_up == fresh
    assert hash(looked_up) == hash(fresh)
    assert repr(looked_up) == repr(fresh) == "Headers(pairs=(('A', '1'), ('a', '2')))"
    assert pickle.loads(pickle.dumps(looked_up)) == fresh
    changed = replace(looked_up, pairs=(("B", "3"),))
    assert changed.get("a") is None
    assert changed.get("b") == "3"


def test_a_returned_list_is_the_caller_s_own() -> None:
    headers = Headers.of(("A", "1"))
    headers.get_all("a").append("2")
    assert headers.get_all("a") == ["1"]


@pytest.mark.parametrize(
    ("origin", "text"),
    [
        (Origin("https", "app.example"), "https://app.example"),
        (Origin("http", "localhost", 3000), "http://localhost:3000"),
        (Origin("https", "[::1]", 8443), "https://[::1]:8443"),
        (Origin.null(), "null"),
        (Origin("https", "app.example", opaque=True), "null"),
    ],
)
def test_an_origin_remembers_its_serialisation_outside_its_value(origin: Origin, text: str) -> None:
    fresh = Origin(origin.scheme, origin.host, origin.port, origin.opaque)
    assert origin.serialise() == origin.serialise() == text
    assert origin == fresh
    assert hash(origin) == hash(fresh)
    assert repr(origin) == repr(fresh)
    assert pickle.loads(pickle.dumps(origin)) == fresh
    moved = replace(origin, port=1)
    assert moved.serialise() == ("null" if origin.opaque else f"{origin.scheme}://{origin.host}:1")
