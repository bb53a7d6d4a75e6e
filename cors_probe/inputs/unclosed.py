"""Why a pasted command or call did not parse, when the reason is that something is never
closed: an unterminated quote (where it opened) or a bracket left open (a text cut short).

Tree-sitter (inputs/syntax.py) parses; it only says where it gave up, which for an unterminated
quote is often far from the quote. This scan runs after a syntax error only, to name the
opening instead. Quoting as each language writes it:
- bash: `'...'` (no escapes), `$'...'` and `"..."` (backslash escapes), a backslash outside
  quotes (bash(1) QUOTING);
- PowerShell: `'...'` (a doubled `''` is a quote), `"..."` (a backtick escapes; `""` is a quote),
  a backtick outside quotes (about_Quoting_Rules);
- JavaScript: `'...'`, `"..."`, template literals (backslash escapes), `//` and `/* */` comments
  (ECMA-262 Lexical Grammar); brackets `(`, `[`, `{` are counted outside them.
"""

from __future__ import annotations

from dataclasses import dataclass

_PAIRS = {"(": ")", "[": "]", "{": "}"}


@dataclass(frozen=True, slots=True)
class Unclosed:
    """What is never closed: `quote` (the opening quote's text, `'`, `"`, `$'`, a backtick) or
    `bracket`; `line` and `column` (1-based, in characters) of where it opened."""

    kind: str
    """`quote` or `bracket`."""
    opening: str
    line: int
    column: int


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _quote_end(text: str, index: int, quote: str, escape: str | None, doubled: bool) -> int:
    """The index after the quote closing the one at `index` (`quote` long), or -1."""
    position = index + len(quote)
    closing = quote[-1]
    while position < len(text):
        char = text[position]
        if escape is not None and char == escape:
            position += 2
            continue
        if char == closing:
            if doubled and text.startswith(closing, position + 1):
                position += 2
                continue
            return position + 1
        position += 1
    return -1


def _quote_at(language: str, text: str, index: int) -> tuple[str, str | None, bool] | None:
    """(opening, escape character, doubled quote escapes) of a quote starting at `index`."""
    char = text[index]
    if language == "bash":
        if text.startswith("$'", index):
            return "$'", "\\", False
        return {"'": ("'", None, False), '"': ('"', "\\", False)}.get(char)
    if language == "powershell":
        return {"'": ("'", None, True), '"': ('"', "`", True)}.get(char)
    if char in "'\"`":
        return char, "\\", False
    return None


def find_unclosed(language: str, text: str) -> Unclosed | None:
    """The first quote never closed in `text`, else the first bracket left open at its end
    (JavaScript only: shells use brackets inside words), else None. `language` is a key of
    inputs/syntax.py GRAMMARS."""
    escape = {"bash": "\\", "powershell": "`"}.get(language)
    opened: list[tuple[str, int]] = []
    index = 0
    while index < len(text):
        char = text[index]
        if escape is not None and char == escape:
            index += 2
            continue
        if language == "javascript" and text.startswith("//", index):
            end = text.find("\n", index)
            index = len(text) if end < 0 else end
            continue
        if language == "javascript" and text.startswith("/*", index):
            end = text.find("*/", index + 2)
            index = len(text) if end < 0 else end + 2
            continue
        quote = _quote_at(language, text, index)
        if quote is not None:
            opening, inner_escape, doubled = quote
            end = _quote_end(text, index, opening, inner_escape, doubled)
            if end < 0:
                return Unclosed("quote", opening, *_position(text, index))
            index = end
            continue
        if language == "javascript" and char in _PAIRS:
            opened.append((char, index))
        elif opened and language == "javascript" and _PAIRS[opened[-1][0]] == char:
            opened.pop()
        index += 1
    if opened:
        bracket, at = opened[0]
        return Unclosed("bracket", bracket, *_position(text, at))
    return None
