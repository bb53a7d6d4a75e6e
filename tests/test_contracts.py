"""Closed sets stay documented: exit codes and finding codes in README, version in metadata."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

from cors_probe import __version__
from cors_probe.codes import FindingCode, TriggerReason
from cors_probe.exitcodes import ExitCode

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    start = README.index(f"## {title}")
    end = README.find("\n## ", start + 1)
    return README[start : end if end > 0 else None]


def test_readme_exit_code_table_matches_the_enum() -> None:
    rows = re.findall(r"^\| (\d+) \| (.+?) \|$", _section("Exit codes"), re.MULTILINE)
    assert sorted(int(code) for code, _ in rows) == sorted(int(c) for c in ExitCode)


def test_every_finding_code_is_documented_in_readme() -> None:
    table = _section("JSON output")
    documented = set(re.findall(r"`([a-z0-9-]+)`", table))
    assert {c.value for c in FindingCode} <= documented


def test_every_trigger_reason_is_documented_in_readme() -> None:
    documented = set(re.findall(r"`([a-z0-9-]+)`", _section("JSON output")))
    assert {r.value for r in TriggerReason} <= documented


def test_version_matches_installed_metadata() -> None:
    assert version("cors-probe") == __version__
