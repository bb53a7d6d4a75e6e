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


def _body_lines(node: ast.FunctionDef) -> int:
    """Lines from the first statement after the docstring to the end: a typer command's
    signature grows by one line per option, its body should not."""
    body = node.body
    if len(body) > 1 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    assert node.end_lineno is not None
    return node.end_lineno - body[0].lineno + 1


@pytest.mark.parametrize("module", sorted(p.name for p in (PACKAGE / "cli").glob("*.py")))
def test_no_function_body_in_the_cli_is_over_40_lines(module: str) -> None:
    tree = ast.parse((PACKAGE / "cli" / module).read_text(encoding="utf-8"))
    long = [
        (node.name, _body_lines(node))
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and _body_lines(node) > 40
    ]
    assert long == []


def test_nothing_in_the_package_points_at_files_a_clone_does_not_have() -> None:
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "shared/docs" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
