"""JUnit is written one test case at a time (a run of 20,000 checks never holds its whole XML
tree), and the pieces are the document `ET.indent` would lay out whole, valid for CI servers."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
import xmlschema

from cors_probe.render import junit
from cors_probe.usecases.results import Run
from tests.subjects import a_run

JUNIT_XSD = Path(__file__).resolve().parents[1] / "data" / "junit.xsd"


def _runs() -> list[tuple[str, Run]]:
    run = a_run()
    known = frozenset(r.spec.ident for r in run.results)
    return [
        ("run", run),
        ("one-check", replace(run, results=run.results[:1])),
        ("known-failures", replace(run, known=known, baseline="baseline.json")),
        ("no-policy-path", replace(run, policy=replace(run.policy, path=""), started="")),
        ("no-checks", replace(run, results=[])),
    ]


@pytest.mark.parametrize(("name", "run"), _runs(), ids=[n for n, _ in _runs()])
def test_the_streamed_document_is_the_whole_tree_indented(name: str, run: Run) -> None:
    del name
    pieces = list(junit.chunks(run))
    document = "".join(pieces)
    declaration, _, body = document.partition("\n")
    assert declaration == '<?xml version="1.0" encoding="UTF-8"?>'
    tree = ET.fromstring(body)
    assert [c.get("line") for c in tree.iter("testcase")] == [
        str(r.spec.line) if run.policy.path else None for r in run.results
    ]
    ET.indent(tree)
    assert ET.tostring(tree, encoding="unicode") + "\n" == body
    assert len(pieces) == len(run.results) + 2 if run.results else len(pieces) == 2
    xmlschema.XMLSchema(JUNIT_XSD).validate(body)
