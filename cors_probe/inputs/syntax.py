"""Tree-sitter, the parser behind the capture imports: bash, PowerShell and JavaScript text -> a
syntax tree, with the first syntax error located for the user.

The parsers (PyPI `tree-sitter` and the grammars `tree-sitter-bash`, `tree-sitter-powershell`,
`tree-sitter-javascript`) are imported here only, and only when a capture is read: `check`
without `--from-curl`/`--from-fetch` never loads them (tests/cli/test_check_imports.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING

from cors_probe.errors import UsageError

if TYPE_CHECKING:
    from tree_sitter import Node, Parser

GRAMMARS = {
    "bash": "tree_sitter_bash",
    "powershell": "tree_sitter_powershell",
    "javascript": "tree_sitter_javascript",
}
"""Each language's grammar package (its `language()` gives the compiled grammar)."""


@dataclass(frozen=True, slots=True)
class Tree:
    """A parsed text: its root node and the UTF-8 bytes the node offsets point into."""

    root: Node
    source: bytes

    def text(self, node: Node) -> str:
        """The source text of `node`."""
        return self.source[node.start_byte : node.end_byte].decode("utf-8")


@cache
def _parser(language: str) -> Parser:
    from tree_sitter import Language, Parser

    grammar = import_module(GRAMMARS[language])
    return Parser(Language(grammar.language()))


def parse(language: str, text: str, what: str) -> Tree:
    """`text` parsed as `language` (a key of GRAMMARS).

    Raises UsageError naming `what`, the line and the column of the first syntax error: an
    unterminated quote where it opens, a bracket never closed (a text cut short), else where
    tree-sitter stopped, with a short masked excerpt (inputs/excerpt.py).
    """
    source = text.encode("utf-8", "surrogatepass")
    tree = Tree(_parser(language).parse(source).root_node, source)
    broken = _first_error(tree.root)
    if broken is not None:
        raise UsageError(_syntax_error(language, text, what, broken, source))
    return tree


def _syntax_error(language: str, text: str, what: str, broken: Node, source: bytes) -> str:
    """The one-line message for a text tree-sitter could not parse."""
    from cors_probe.inputs.excerpt import excerpt
    from cors_probe.inputs.unclosed import find_unclosed

    unclosed = find_unclosed(language, text)
    if unclosed is not None and unclosed.kind == "quote":
        return (
            f"{what}: line {unclosed.line}, column {unclosed.column}: unterminated quote "
            f"({unclosed.opening} opens here and is never closed)"
        )
    if unclosed is not None:
        closing = {"(": ")", "[": "]", "{": "}"}[unclosed.opening]
        return (
            f"{what} is not closed: {unclosed.opening!r} at line {unclosed.line}, column "
            f"{unclosed.column} has no {closing!r} (is the text cut short?)"
        )
    row, column = broken.start_point
    line = source.split(b"\n")[row].decode("utf-8", "replace")
    column = len(line.encode("utf-8")[:column].decode("utf-8", "replace"))
    near = line[column:].strip()
    problem = "missing " + broken.type if broken.is_missing else "cannot read "
    if not broken.is_missing:
        problem += excerpt(near, 20) if near else "the end"
    return f"{what}: line {row + 1}, column {column + 1}: {problem}"


def _first_error(node: Node) -> Node | None:
    """The first ERROR or MISSING node in document order, or None."""
    if node.is_missing or node.type == "ERROR":
        return node
    if not node.has_error:
        return None
    for child in node.children:
        found = _first_error(child)
        if found is not None:
            return found
    return node


def named_children(node: Node) -> list[Node]:
    """`node`'s named children, comments left out."""
    return [c for c in node.named_children if c.type != "comment"]
