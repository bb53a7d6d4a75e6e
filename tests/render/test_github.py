"""Workflow-command escaping, as the Actions toolkit does it: a message or a title with %, CR, LF,
`:` or `,` must not end the command early or split the annotation."""

from __future__ import annotations

import pytest

from cors_probe.render.github import command

CASES = [
    ("plain", "error", "boom", {}, "::error::boom"),
    ("percent", "error", "100% sure", {}, "::error::100%25 sure"),
    ("newlines", "error", "a\nb\r\nc", {}, "::error::a%0Ab%0D%0Ac"),
    (
        "property-separators",
        "error",
        "m: x, y",
        {"file": "a,b.toml", "line": "3", "title": "t: 1, 2 %"},
        "::error file=a%2Cb.toml,line=3,title=t%3A 1%2C 2 %25::m: x, y",
    ),
    ("notice", "notice", "ok", {"title": "cors-probe"}, "::notice title=cors-probe::ok"),
]


@pytest.mark.parametrize(
    ("kind", "message", "properties", "line"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_command_escapes_like_the_actions_toolkit(
    kind: str, message: str, properties: dict[str, str], line: str
) -> None:
    assert command(kind, message, **properties) == line
