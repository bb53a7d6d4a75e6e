"""Golden files: reports built in process (stated answers, so no timing) written as JSON and as
plain text for a file, compared byte for byte with tests/render/golden/.

After an intended change of an output, rewrite the files and review the diff:

    UPDATE_GOLDEN=1 python -m pytest tests/render/test_golden.py

The version is blanked (`<version>`) and trailing blanks dropped, so a release changes nothing.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from cors_probe.model import Report
from cors_probe.render import Format, RenderOptions, write
from tests.subjects import REPORTS, SECRET, deterministic

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
SUFFIX = {Format.JSON: "json", Format.TEXT: "txt"}


def rendered(report: Report, output_format: Format, options: RenderOptions) -> str:
    out = io.StringIO()
    write(report, output_format, out, options)
    return deterministic(out.getvalue())


@pytest.mark.parametrize("output_format", list(SUFFIX), ids=list(SUFFIX.values()))
@pytest.mark.parametrize("name", list(REPORTS))
def test_output_matches_its_golden_file(name: str, output_format: Format) -> None:
    report: Callable[[], Report] = REPORTS[name]
    text = rendered(report(), output_format, RenderOptions(to_file=True))
    golden = GOLDEN / f"{name}.{SUFFIX[output_format]}"
    if UPDATE:
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"{golden} is missing: run with UPDATE_GOLDEN=1 to write it"
    assert text == golden.read_text(encoding="utf-8")
    if output_format is Format.JSON:
        json.loads(text)


@pytest.mark.parametrize("output_format", list(Format))
def test_a_secret_header_is_masked_unless_asked(output_format: Format) -> None:
    report = REPORTS["secret-header"]()
    masked = rendered(report, output_format, RenderOptions(to_file=True, verbose=True))
    shown = rendered(report, output_format, RenderOptions(to_file=True, show_secrets=True))
    assert SECRET not in masked
    if output_format in (Format.TEXT, Format.JSON):  # the run formats list failures only
        assert SECRET in shown


def test_the_golden_files_are_all_used() -> None:
    expected = {f"{name}.{suffix}" for name in REPORTS for suffix in SUFFIX.values()}
    assert {p.name for p in GOLDEN.iterdir()} == expected
