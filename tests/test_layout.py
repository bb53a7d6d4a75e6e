"""The package reads as the data's path, and the shell stays thin."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "cors_probe"
WINGS = ("cli", "inputs", "usecases", "policy", "probe", "explain", "render", "lab")
BASE = ("__init__.py", "__main__.py", "model.py", "codes.py", "errors.py", "exitcodes.py")


def test_the_folders_are_the_wings_and_the_rest_is_the_base() -> None:
    folders = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())
    modules = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert folders == sorted(WINGS)
    assert modules == sorted((*BASE, "secrets.py"))


@pytest.mark.parametrize("module", sorted(p.name for p in (PACKAGE / "cli").glob("*.py")))
def test_no_function_in_the_cli_is_over_50_lines(module: str) -> None:
    tree = ast.parse((PACKAGE / "cli" / module).read_text(encoding="utf-8"))
    long = [
        (node.name, node.end_lineno - node.lineno + 1)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > 50
    ]
    assert long == []


def test_nothing_in_the_package_points_at_files_a_clone_does_not_have() -> None:
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "shared/docs" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
