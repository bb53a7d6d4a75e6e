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

    Raises UsageError naming `what`, the line and the column of the first syntax error (an
    unterminated quote, a stray bracket).
    """
    source = text.encode("utf-8", "surrogatepass")
    tree = Tree(_parser(language).parse(source).root_node, source)
    broken = _first_error(tree.root)
    if broken is not None:
        row, column = broken.start_point
        line = source.split(b"\n")[row].decode("utf-8", "replace")
        near = line[column : column + 20].strip() or "the end"
        problem = "missing " + broken.type if broken.is_missing else f"cannot read {near!r}"
        raise UsageError(f"{what}: line {row + 1}, column {column + 1}: {problem}")
    return tree


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
