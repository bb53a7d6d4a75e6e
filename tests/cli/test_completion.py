"""Shell completion: the committed scripts are current, and completion answers from the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_committed_completion_scripts_are_current() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_completions.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout


def _complete(words: str, cword: int) -> list[str]:
    executable = Path(sys.executable).parent / "cors-probe"
    env = {
        **os.environ,
        "_CORS_PROBE_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(cword),
    }
    result = subprocess.run(
        [str(executable)], env=env, capture_output=True, text=True, check=False, timeout=30
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


@pytest.mark.parametrize(
    ("words", "cword", "expected"),
    [
        ("cors-probe check --me", 2, ["--method"]),
        ("cors-probe ch", 1, ["check"]),
        ("cors-probe check -X P", 3, ["POST", "PUT", "PATCH"]),
        ("cors-probe check --format ", 3, ["text", "json", "junit", "sarif", "github"]),
    ],
    ids=["option-name", "command", "method-values", "format-values"],
)
def test_bash_completion_offers(words: str, cword: int, expected: list[str]) -> None:
    assert _complete(words, cword) == expected
