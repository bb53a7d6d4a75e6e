"""Every `Format` writes every subject (a check's `Report`, the demo's `Tour`, a `Run`) as one
non-empty document that parses in its format; JUnit and SARIF also validate against their
schemas, as `run`'s do in tests/cli/test_run_command.py."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

import jsonschema
import pytest
import xmlschema

from cors_probe.render import Format, RenderOptions, writer
from tests.documents import check_document
from tests.subjects import Named, every_subject

SUBJECTS = every_subject()


@pytest.mark.parametrize("subject", SUBJECTS, ids=[s.name for s in SUBJECTS])
@pytest.mark.parametrize("output_format", list(Format))
def test_every_format_writes_every_subject(output_format: Format, subject: Named) -> None:
    out = io.StringIO()
    writer(output_format)(subject.subject, out, RenderOptions(to_file=True))
    check_document(output_format, out.getvalue())


@pytest.mark.parametrize("subject", SUBJECTS, ids=[s.name for s in SUBJECTS])
def test_run_formats_count_each_check(subject: Named) -> None:
    """A report is one check, the tour one per stop and engine (it runs in all three: one stop
    passes, one fails, one is unreachable, in each), the run one per check: JUnit's tally says
    so."""
    out = io.StringIO()
    writer(Format.JUNIT)(subject.subject, out, RenderOptions())
    (suite,) = ET.fromstring(out.getvalue()).findall("testsuite")
    expected = {"report": ("1", "1", "0"), "tour": ("9", "3", "3"), "run": ("3", "1", "1")}
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == expected[
        subject.name
    ]


def test_the_document_check_can_fail() -> None:
    """The checks above are not formalities."""
    with pytest.raises(json.JSONDecodeError):
        check_document(Format.JSON, "not json")
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        check_document(Format.JUNIT, '<testsuites><testsuite flaky="x"/></testsuites>')
    with pytest.raises(jsonschema.ValidationError):
        check_document(Format.SARIF, '{"version": "2.1.0", "runs": [{"results": 1}]}')
    with pytest.raises(AssertionError):
        check_document(Format.GITHUB, "::error::a\nplain line\n")
