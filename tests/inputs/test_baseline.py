"""A `--baseline` file that is not a run's JSON document: one exact UsageError, in process."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cors_probe.errors import UsageError
from cors_probe.inputs.baseline import load_baseline

BAD_BASELINES = [
    ("missing", None, "--baseline 'baseline.json': No such file or directory"),
    (
        "not-json",
        "not json",
        "--baseline 'baseline.json': not a JSON file (Expecting value: line 1 column 1 (char 0))",
    ),
    (
        "a-checks-document",
        '{"schema": "cors-probe/check/1"}',
        "--baseline 'baseline.json': not a result of `cors-probe run --format json` "
        "(expected schema 'cors-probe/run/1')",
    ),
    (
        "a-check-without-got",
        '{"schema": "cors-probe/run/1", "checks": [{"id": "a", "status": "passed"}]}',
        "--baseline 'baseline.json': a check lacks 'got'",
    ),
]


@pytest.mark.parametrize(
    ("content", "message"), [c[1:] for c in BAD_BASELINES], ids=[c[0] for c in BAD_BASELINES]
)
def test_a_bad_baseline_is_a_usage_error(
    content: str | None, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    if content is not None:
        (tmp_path / "baseline.json").write_text(content, encoding="utf-8")
    with pytest.raises(UsageError, match=f"^{re.escape(message)}$"):
        load_baseline("baseline.json")
