"""A run's entries read the same whichever encoder `render.json.compact` uses: orjson where it is
installed, the standard library's otherwise (render/json.py `_encoder`)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import pytest

from cors_probe.render import json as render_json


class Colour(StrEnum):
    RED = "red"


DOCUMENTS: list[tuple[str, Any]] = [
    ("scalars", {"a": 1, "b": None, "c": True, "d": False, "e": -7, "f": 2**40}),
    ("nested", {"list": [1, [2, [3, {"x": "y"}]]], "tuple": (1, ("a", "b")), "empty": {}}),
    ("controls", {"v": "".join(chr(c) for c in range(32)) + '"\\/'}),
    ("del and C1", {"v": "\x7f\x80\x9b\x9f"}),
    ("non-ASCII", {"é": "naïve – ✓ 日本語", "astral": "😀 𝔘"}),
    ("line separators", {"v": "\u2028\u2029"}),
    ("str enum", {"kind": Colour.RED, "list": [Colour.RED]}),
    ("whole number keys", {1: "one"}),
]


@pytest.fixture(params=["orjson", "standard"])
def encoder(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "orjson":
        pytest.importorskip("orjson")
        monkeypatch.setattr(render_json, "_encode", render_json._encoder())
        assert render_json._encode is not render_json._standard
    else:
        monkeypatch.setattr(render_json, "_encode", render_json._standard)
    return str(request.param)


@pytest.mark.parametrize(("name", "document"), DOCUMENTS, ids=[n for n, _ in DOCUMENTS])
def test_both_encoders_write_the_same_text(encoder: str, name: str, document: Any) -> None:
    del encoder, name
    expected = render_json._standard(document)
    expected = render_json.UNESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}", expected)
    assert render_json.compact(document) == expected


def test_a_lone_surrogate_falls_back_to_the_standard_library(encoder: str) -> None:
    del encoder
    document = {"v": "bad \udcff byte"}
    assert render_json.compact(document) == render_json._standard(document)


def test_secrets_are_scrubbed_by_either_encoder(encoder: str) -> None:
    del encoder
    document = {"headers": [["Authorization", "Bearer s3cr3t-token"]], "note": 'say "s3cr3t-token"'}
    text = render_json.compact(document, frozenset({"s3cr3t-token"}))
    assert "s3cr3t-token" not in text
    assert "Authorization" in text
