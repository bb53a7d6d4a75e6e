"""`--output` destinations are validated before anything is sent: one exact UsageError each."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cors_probe.errors import UsageError
from cors_probe.render import Format
from cors_probe.render.destinations import plan

BAD_OUTPUTS = [
    ("empty-name", ["junit:"], "--output '': give a file name"),
    ("named-twice", ["a.xml", "junit:a.xml"], "--output: the same file is named twice"),
    (
        "no-such-directory",
        ["sarif:out/x.sarif"],
        "--output 'out/x.sarif': no such directory '{cwd}/out'",
    ),
]


@pytest.mark.parametrize(
    ("outputs", "message"), [c[1:] for c in BAD_OUTPUTS], ids=[c[0] for c in BAD_OUTPUTS]
)
def test_bad_outputs_are_refused(
    outputs: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    expected = message.format(cwd=Path.cwd())
    with pytest.raises(UsageError, match=f"^{re.escape(expected)}$"):
        plan(Format.TEXT, outputs)


def test_a_plain_output_takes_the_format_and_the_terminal_gets_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    destinations = plan(Format.JSON, ["run.json", "junit:run.xml"])
    assert destinations.stdout is Format.TEXT
    assert destinations.files == ((Format.JSON, "run.json"), (Format.JUNIT, "run.xml"))
    assert destinations.formats == {Format.TEXT, Format.JSON, Format.JUNIT}
