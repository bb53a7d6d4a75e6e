"""A pasted command line -> its words, as the shell would hand them to curl.

- bash (DevTools' "Copy as cURL" / "Copy as cURL (bash)"): parsed by tree-sitter-bash rather than
  the standard library's shlex, because shlex does not know ANSI-C quoting (`$'it\\'s'`), which
  Chromium (devtools-frontend NetworkLogView.ts escapeStringPosix) and Firefox
  (devtools/client/shared/curl.js CurlUtils.escapeStringPosix) write for any value holding a
  quote, `!` or a control character; shlex ends the string at that `\\'`. Each word is rebuilt
  from its literal parts (`'...'`, `"..."`, `$'...'`, unquoted); an expansion (`$HOME`,
  `$(...)`, a glob brace) is refused, since it is not text the browser sent.
- Windows cmd ("Copy as cURL (cmd)", Firefox's on Windows): PyPI `mslex`, which applies cmd.exe's
  caret escapes and then the C runtime's argument splitting. cmd's line continuation (a caret
  before the line break: the break is dropped and the next character taken literally,
  https://ss64.com/nt/syntax-esc.html) is applied first, since DevTools writes both its line
  joins (` ^` + newline) and the line breaks inside values (`^` + two newlines) that way.
"""

from __future__ import annotations

import codecs
import re
from typing import TYPE_CHECKING

from cors_probe.errors import UsageError
from cors_probe.inputs.excerpt import excerpt
from cors_probe.inputs.syntax import Tree, named_children, parse

if TYPE_CHECKING:
    from tree_sitter import Node

_ANSI_C = re.compile(
    r"\\(?:[abeEfnrtv\\'\"?]|[0-7]{1,3}|x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{1,4}|U[0-9A-Fa-f]{1,8}|c.)"
    r"|[^\\]+|\\",
    re.DOTALL,
)
_SIMPLE_ESCAPES = {
    "a": b"\a",
    "b": b"\b",
    "e": b"\x1b",
    "E": b"\x1b",
    "f": b"\f",
    "n": b"\n",
    "r": b"\r",
    "t": b"\t",
    "v": b"\v",
    "\\": b"\\",
    "'": b"'",
    '"': b'"',
    "?": b"?",
}
_DOUBLE_QUOTED_ESCAPE = re.compile(r"\\([$`\"\\\n])")
_UNQUOTED_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_CARET_LINE_BREAK = re.compile(r"\^\n(.?)", re.DOTALL)


def ansi_c(inner: str) -> bytes:
    """The bytes bash's ANSI-C quoting `$'inner'` stands for.

    Escapes as the bash manual's "ANSI-C Quoting" lists them: \\a \\b \\e \\E \\f \\n \\r \\t \\v
    \\\\ \\' \\" \\?, \\nnn (octal, 1 to 3 digits), \\xHH (1 or 2 hex digits) and \\cX (bytes),
    \\uHHHH and \\UHHHHHHHH (a character, as UTF-8); any other backslash stays as written.
    """
    out = bytearray()
    high: int | None = None  # a UTF-16 high surrogate waiting for its low half
    for match in _ANSI_C.finditer(inner):
        token = match.group(0)
        kind, rest = token[1:2], token[2:]
        if high is not None and not (kind == "u" and 0xDC00 <= int(rest or "0", 16) < 0xE000):
            out += chr(high).encode("utf-8", "surrogatepass")
            high = None
        if not token.startswith("\\") or token == "\\":
            out += token.encode("utf-8", "surrogatepass")
        elif kind in _SIMPLE_ESCAPES and not rest:
            out += _SIMPLE_ESCAPES[kind]
        elif kind.isdigit():
            out.append(int(token[1:], 8) & 0xFF)
        elif kind == "x":
            out.append(int(rest, 16))
        elif kind in "uU":
            point = min(int(rest, 16), 0x10FFFF)
            if 0xD800 <= point < 0xDC00:
                high = point
            elif high is not None:  # the pair's low half: one character
                out += chr(0x10000 + ((high - 0xD800) << 10) + point - 0xDC00).encode("utf-8")
                high = None
            else:
                out += chr(point).encode("utf-8", "surrogatepass")
        else:  # \cX: the control character X & 0x1F
            out.append(ord(rest) & 0x1F)
    if high is not None:
        out += chr(high).encode("utf-8", "surrogatepass")
    return bytes(out)


def _as_latin_1(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("cors-probe-latin-1", _as_latin_1)


def _text_of(raw: bytes) -> str:
    """A word's bytes as text: UTF-8, each byte that is not part of a UTF-8 sequence read as its
    Latin-1 character. Firefox writes a character below U+0100 as `\\xHH` (curl.js
    escapeStringPosix, escapeCharacter), which bash makes one byte: `na\\xefve` is `naïve`."""
    return raw.decode("utf-8", "cors-probe-latin-1")


def _piece(node: Node, tree: Tree) -> bytes:
    """The bytes one part of a bash word stands for; UsageError for anything not literal."""
    text = tree.text(node)
    kind = node.type
    if kind in ("word", "number"):
        return _UNQUOTED_ESCAPE.sub(
            lambda m: "" if m.group(1) == "\n" else m.group(1), text
        ).encode("utf-8", "surrogatepass")
    if kind == "raw_string":
        return text[1:-1].encode("utf-8", "surrogatepass")
    if kind == "ansi_c_string":
        return ansi_c(text[2:-1])
    if kind == "string":
        for part in named_children(node):
            if part.type != "string_content":
                raise UsageError(
                    f"{excerpt(tree.text(part))} is a shell expansion, not literal text"
                )
        inner = _DOUBLE_QUOTED_ESCAPE.sub(
            lambda m: "" if m.group(1) == "\n" else m.group(1), text[1:-1]
        )
        return inner.encode("utf-8", "surrogatepass")
    if kind == "concatenation":
        return b"".join(_piece(part, tree) for part in node.children)
    raise UsageError(f"{excerpt(text)} is a shell expansion or operator, not literal text")


def bash_words(text: str) -> list[str]:
    """The words of one POSIX shell (bash) command line, as curl would receive them.

    Raises UsageError for a syntax error (an unterminated quote: line and column), more than
    one command, a pipe or redirection, or a word that is not literal text.
    """
    tree = parse("bash", text, "the cURL command")
    commands = named_children(tree.root)
    if len(commands) != 1 or commands[0].type != "command":
        raise UsageError(
            "give one curl command (no pipes, redirections, `;`, `&&` or several commands)"
        )
    words: list[str] = []
    for part in named_children(commands[0]):
        if part.type == "command_name":
            words.append(_text_of(b"".join(_piece(p, tree) for p in named_children(part))))
        elif part.type in ("variable_assignment", "file_redirect", "herestring_redirect"):
            raise UsageError(f"{excerpt(tree.text(part))}: give the curl command alone")
        else:
            words.append(_text_of(_piece(part, tree)))
    return words


def cmd_words(text: str) -> list[str]:
    """The words of one Windows cmd.exe command line, as curl.exe would receive them (cmd's caret
    escapes, then the C runtime's splitting, both by PyPI `mslex`).

    Raises UsageError for a line cmd would not hand to curl.exe as one command (an unescaped
    `&`, `|`, `<`, `>`: several commands or a redirection) or an unterminated quote.
    """
    import mslex

    joined = _CARET_LINE_BREAK.sub(
        lambda m: "^" + m.group(1) if m.group(1) else "", text.replace("\r\n", "\n")
    ).strip()
    _one_command(joined)
    try:
        return mslex.split(joined, like_cmd=True, check=False, ucrt=True)
    except (mslex.MSLexError, ValueError) as error:
        raise UsageError(f"the cURL (cmd) command: {error}") from None


def _one_command(line: str) -> None:
    """UsageError when cmd.exe would see more than one command in `line`: an `&`, `|`, `<`, `>`
    or line break neither caret-escaped nor inside quotes (cmd's phase-2 rules,
    https://ss64.com/nt/syntax-esc.html). Parentheses need no escape outside a block, which
    Firefox's curl.js escapeStringWin relies on, so they are not refused as mslex's check would."""
    quoted = False
    index = 0
    while index < len(line):
        char = line[index]
        if char == "^" and not quoted:
            index += 2
            continue
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "&|<>\n":
            shown = "a line break" if char == "\n" else repr(char)
            raise UsageError(
                f"give one curl command: cmd would read {shown} at character {index + 1} as "
                "the end of the command (paste one request's Copy as cURL (cmd))"
            )
        index += 1
