"""DevTools' "Copy as PowerShell" text -> a CapturedRequest, parsed by tree-sitter-powershell.

The shapes read are exactly those the engines write (no other PowerShell is run or understood):
- Chromium, devtools-frontend front_end/panels/network/NetworkLogView.ts
  generatePowerShellCommand: an optional prelude `$session = New-Object
  Microsoft.PowerShell.Commands.WebRequestSession`, `$session.UserAgent = "..."`,
  `$session.Cookies.Add((New-Object System.Net.Cookie("name", "value", "/", "domain")))`, then
  `Invoke-WebRequest -UseBasicParsing -Uri "..." -Method "..." -WebSession $session
  -Headers @{"name"="value" ...} -ContentType "..." -Body "..."` (or
  `-Body ([System.Text.Encoding]::UTF8.GetBytes("..."))` for a body beyond printable ASCII);
- Firefox, devtools/client/netmonitor/src/utils/powershell.js PowerShell.generateCommand: the
  same, with `-UserAgent "..."` instead of the session's.
Strings are double-quoted with the backtick escapes of about_Special_Characters and each
character outside printable ASCII as `$([char]N)` (both generators' escapeString); that
sub-expression is the only one accepted, anything else (`$env:X`, `$(Get-Date)`) is refused as not
literal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from cors_probe.errors import UsageError
from cors_probe.inputs.capture import CapturedRequest, engine_of
from cors_probe.inputs.excerpt import excerpt
from cors_probe.inputs.syntax import Tree, parse

if TYPE_CHECKING:
    from tree_sitter import Node

COMMANDS = ("invoke-webrequest", "invoke-restmethod")
_BACKTICK = {"0": "\0", "a": "\a", "b": "\b", "e": "\x1b", "f": "\f", "n": "\n", "r": "\r"}
_BACKTICK |= {"t": "\t", "v": "\v"}
_CHAR = re.compile(r"\$\(\s*\[char\]\s*(\d+)\s*\)", re.IGNORECASE)
_UNICODE = re.compile(r"`u\{([0-9A-Fa-f]{1,6})\}")
_UTF8_BYTES = re.compile(r"^\(\s*\[System\.Text\.Encoding\]::UTF8\.GetBytes\(", re.IGNORECASE)
_EXPANSION_STARTS = frozenset("({_:?^") | frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
)
"""What may follow `$` to make an expansion (a variable or a sub-expression)."""
_SWITCHES = frozenset({"-usebasicparsing", "-disablekeepalive", "-skipcertificatecheck"})


def expandable(inner: str) -> str:
    """The text of a double-quoted PowerShell string's inside: backtick escapes, `""` for a
    quote, `$([char]N)` for character N; UsageError for any other `$` expansion."""
    out: list[str] = []
    index = 0
    while index < len(inner):
        char = inner[index]
        if char == "`" and index + 1 < len(inner):
            unicode = _UNICODE.match(inner, index)
            if unicode:
                out.append(chr(int(unicode.group(1), 16)))
                index = unicode.end()
                continue
            following = inner[index + 1]
            out.append(_BACKTICK.get(following, following))
            index += 2
        elif char == '"' and inner.startswith('""', index):
            out.append('"')
            index += 2
        elif char == "$" and (inner[index + 1 : index + 2] or " ") in _EXPANSION_STARTS:
            match = _CHAR.match(inner, index)
            if match is None:
                shown = inner[index : index + 20]
                raise UsageError(
                    f"{excerpt(shown)} in a PowerShell string is an expansion, not literal"
                )
            out.append(chr(int(match.group(1))))
            index = match.end()
        else:
            out.append(char)
            index += 1
    return _paired("".join(out))


def _paired(text: str) -> str:
    """UTF-16 surrogate pairs (`$([char]55357)$([char]56832)`: the generators escape each UTF-16
    code unit, JavaScript's charCodeAt) joined into their character."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def _descendants(node: Node, kind: str) -> Iterator[Node]:
    if node.type == kind:
        yield node
    for child in node.children:
        yield from _descendants(child, kind)


def _string(node: Node, tree: Tree) -> str:
    """A string literal's value; UsageError when `node` holds anything but one string."""
    strings = list(_descendants(node, "string_literal"))
    text = tree.text(node).strip()
    if len(strings) != 1 or tree.text(strings[0]) != text.strip("()").strip():
        raise UsageError(f"{excerpt(text)} in the PowerShell command is not a literal string")
    return _literal(strings[0], tree)


def _literal(node: Node, tree: Tree) -> str:
    text = tree.text(node)
    if text.startswith("'"):
        return text[1:-1].replace("''", "'")
    if text.startswith('"'):
        return expandable(text[1:-1])
    raise UsageError(f"{excerpt(text)} in the PowerShell command is not a literal string")


def _hash(node: Node, tree: Tree) -> list[tuple[str, str]]:
    """-Headers @{"name"="value" ...} -> pairs, in order."""
    tables = list(_descendants(node, "hash_literal_expression"))
    if len(tables) != 1:
        raise UsageError("-Headers in the PowerShell command is not a literal @{...} table")
    pairs: list[tuple[str, str]] = []
    for entry in _descendants(tables[0], "hash_entry"):
        key = entry.child_by_field_name("key") or entry.named_children[0]
        value = entry.named_children[-1]
        pairs.append((_string(key, tree), _string(value, tree)))
    return pairs


def _body(node: Node, tree: Tree) -> bytes:
    """-Body "..." or -Body ([System.Text.Encoding]::UTF8.GetBytes("...")): its bytes (UTF-8)."""
    text = tree.text(node).strip()
    if _UTF8_BYTES.match(text):
        strings = list(_descendants(node, "string_literal"))
        if len(strings) != 1:
            raise UsageError("-Body in the PowerShell command is not a literal string")
        return _literal(strings[0], tree).encode("utf-8", "surrogatepass")
    return _string(node, tree).encode("utf-8", "surrogatepass")


def _session(pipeline: Node, tree: Tree, headers: list[tuple[str, str]]) -> bool:
    """Read one prelude statement about `$session` into `headers`; False when it is not one."""
    text = tree.text(pipeline).strip()
    lowered = text.lower()
    if re.fullmatch(
        r"\$session\s*=\s*new-object\s+microsoft\.powershell\.commands\.webrequestsession", lowered
    ):
        return True
    if re.match(r"\$session\.useragent\s*=", lowered):
        headers.append(("User-Agent", _string(pipeline.named_children[0].named_children[-1], tree)))
        return True
    if lowered.startswith("$session.cookies.add("):
        strings = [_literal(s, tree) for s in _descendants(pipeline, "string_literal")]
        if "system.net.cookie" not in lowered or len(strings) < 2:
            raise UsageError(f"{excerpt(text)}: not a cookie DevTools adds")
        headers.append(("Cookie", f"{strings[0]}={strings[1]}"))
        return True
    return False


def _arguments(command: Node, tree: Tree) -> list[tuple[str, Node | None]]:
    """An Invoke-WebRequest's (parameter, argument node or None for a switch), in order."""
    elements = command.child_by_field_name("command_elements") or next(
        (c for c in command.named_children if c.type == "command_elements"), None
    )
    if elements is None:
        return []
    out: list[tuple[str, Node | None]] = []
    for child in elements.named_children:
        if child.type == "command_argument_sep":
            continue
        if child.type == "command_parameter":
            out.append((tree.text(child).lower(), None))
        elif out and out[-1][1] is None and out[-1][0] not in _SWITCHES:
            out[-1] = (out[-1][0], child)
        else:
            raise UsageError(f"{excerpt(tree.text(child))}: an argument without a parameter name")
    return out


def _with_content_type(headers: list[tuple[str, str]], value: str) -> list[tuple[str, str]]:
    """Content-Type put back among the headers: the generators move it to -ContentType, losing
    its place. Where the other headers are in name order (Chromium's are: DevTools lists CDP's
    header object, sorted by name, upper case first), at its place in that order; else last."""
    names = [n for n, _ in headers]
    if names != sorted(names):
        return [*headers, ("Content-Type", value)]
    place = next((i for i, n in enumerate(names) if n > "Content-Type"), len(headers))
    return [*headers[:place], ("Content-Type", value), *headers[place:]]


def parse_powershell(text: str) -> CapturedRequest:
    """A "Copy as PowerShell" text -> the request it holds.

    Raises UsageError for a syntax error (line and column), a statement or parameter the
    DevTools generators do not write, a value that is not a literal, or no -Uri.
    """
    tree = parse("powershell", text, "the PowerShell command")
    headers: list[tuple[str, str]] = []
    cookies: list[str] = []
    invoke: Node | None = None
    for pipeline in _descendants(tree.root, "pipeline"):
        if pipeline.parent is None or pipeline.parent.type != "statement_list":
            continue
        if pipeline.parent.parent is None or pipeline.parent.parent.type != "program":
            continue
        found: list[tuple[str, str]] = []
        if _session(pipeline, tree, found):
            cookies += [v for n, v in found if n == "Cookie"]
            headers += [(n, v) for n, v in found if n != "Cookie"]
            continue
        commands = [
            c
            for c in _descendants(pipeline, "command")
            if tree.text(c.named_children[0]).lower() in COMMANDS
        ]
        if len(commands) != 1 or invoke is not None:
            shown = tree.text(pipeline).strip()[:60]
            raise UsageError(f"{excerpt(shown)}: not a statement of DevTools' Copy as PowerShell")
        invoke = commands[0]
    if invoke is None:
        raise UsageError("the PowerShell text has no Invoke-WebRequest command")
    url: str | None = None
    method = "GET"
    body: bytes | None = None
    content_type: str | None = None
    table: list[tuple[str, str]] = []
    for name, argument in _arguments(invoke, tree):
        if name in _SWITCHES:
            continue
        if argument is None:
            raise UsageError(f"PowerShell parameter {name} needs a value")
        if name == "-uri":
            url = _string(argument, tree)
        elif name == "-method":
            method = _string(argument, tree)
        elif name == "-headers":
            table += _hash(argument, tree)
        elif name == "-contenttype":
            content_type = _string(argument, tree)
        elif name == "-body":
            body = _body(argument, tree)
        elif name == "-useragent":
            headers.append(("User-Agent", _string(argument, tree)))
        elif name == "-websession":
            if tree.text(argument).strip().lower() != "$session":
                raise UsageError("-WebSession must be the $session the text creates")
        else:
            raise UsageError(f"PowerShell parameter {name} is not one DevTools writes")
    if url is None:
        raise UsageError("the PowerShell command has no -Uri")
    if content_type is not None:
        table = _with_content_type(table, content_type)
    headers += table
    if cookies:
        headers.append(("Cookie", "; ".join(cookies)))
    return CapturedRequest(
        url=url,
        method=method,
        headers=tuple(headers),
        body=body,
        source="powershell",
        engine=engine_of(headers),
    )
