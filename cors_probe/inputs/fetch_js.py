"""DevTools' "Copy as fetch" and "Copy as Node.js fetch" text -> a CapturedRequest, parsed as
JavaScript by tree-sitter-javascript.

The shapes read are those the engines write:
- Chromium, devtools-frontend front_end/panels/network/NetworkLogView.ts generateFetchCall:
  `fetch("URL", {"headers": {...}, "referrer": "...", "body": ..., "method": "...",
  "mode": "cors", "credentials": "include"|"omit"});` (FetchStyle.BROWSER), and for Node.js
  (FetchStyle.NODE_JS) without mode and credentials, with `cookie` and `Referer` among the
  headers; the console's "edit and resend" form adds `await` and comments;
- Firefox, devtools/client/netmonitor/src/widgets/RequestListContextMenu.js generateFetchString:
  `await fetch("URL", {"credentials": ..., "headers": {...}, "referrer": ..., "body": ...,
  "method": ..., "mode": "cors"});`.
Only literals are read: strings, templates without `${}`, numbers, null, true/false, objects and
arrays of them. Anything else (a variable, a call, `JSON.stringify(...)`) is refused by name.
Both generators write `credentials: "include"` when the request carried cookies or an
Authorization header, so with an Authorization header it may not be what the script asked for.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from cors_probe.errors import UsageError
from cors_probe.inputs.capture import CapturedRequest, engine_of
from cors_probe.inputs.excerpt import excerpt
from cors_probe.inputs.syntax import Tree, named_children, parse

if TYPE_CHECKING:
    from tree_sitter import Node

Literal = str | float | bool | None | dict[str, "Literal"] | list["Literal"]
OPTIONS = frozenset(
    {
        "headers",
        "referrer",
        "referrerPolicy",
        "body",
        "method",
        "mode",
        "credentials",
        "cache",
        "redirect",
        "integrity",
        "keepalive",
        "priority",
    }
)
"""RequestInit members read (https://fetch.spec.whatwg.org/#requestinit); others are refused."""


def _string(node: Node, tree: Tree) -> str:
    """A JS string literal's value: its text is a JSON string but for single quotes and a few
    escapes JSON lacks (\\', \\v, \\0, \\xHH, line continuations), decoded by the JS rules."""
    text = tree.text(node)
    inner = text[1:-1]
    out: list[str] = []
    index = 0
    while index < len(inner):
        char = inner[index]
        if char != "\\":
            out.append(char)
            index += 1
            continue
        following = inner[index + 1 : index + 2]
        if following == "x":
            out.append(chr(int(inner[index + 2 : index + 4], 16)))
            index += 4
        elif following == "u" and inner[index + 2 : index + 3] == "{":
            end = inner.index("}", index)
            out.append(chr(int(inner[index + 3 : end], 16)))
            index = end + 1
        elif following == "u":
            out.append(json.loads(f'"{inner[index : index + 6]}"'))
            index += 6
        elif following in "\n\u2028\u2029":
            index += 2
        elif following == "\r":
            index += 3 if inner[index + 2 : index + 3] == "\n" else 2
        else:
            simple = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "0": "\0"}
            out.append(simple.get(following, following))
            index += 2
    joined = "".join(out)  # \uD83D\uDE00: a surrogate pair, one character
    return joined.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def _value(node: Node, tree: Tree) -> Literal:
    """A literal's value; UsageError naming the first part that is not a literal."""
    kind = node.type
    if kind == "string":
        return _string(node, tree)
    if kind == "template_string":
        if any(c.type == "template_substitution" for c in node.named_children):
            raise UsageError(f"{excerpt(tree.text(node))} has a ${{}} substitution, not a literal")
        return _string(node, tree)
    if kind == "number":
        return float(tree.text(node).replace("_", ""))
    if kind in ("null", "undefined"):
        return None
    if kind in ("true", "false"):
        return kind == "true"
    if kind == "parenthesized_expression":
        return _value(named_children(node)[0], tree)
    if kind == "array":
        return [_value(c, tree) for c in named_children(node)]
    if kind == "object":
        members: dict[str, Literal] = {}
        for pair in named_children(node):
            if pair.type != "pair":
                raise UsageError(f"{excerpt(tree.text(pair))} in an object is not a literal member")
            key = pair.child_by_field_name("key")
            value = pair.child_by_field_name("value")
            if key is None or value is None:
                raise UsageError(f"{excerpt(tree.text(pair))} is not a literal member")
            name = _string(key, tree) if key.type == "string" else tree.text(key)
            if key.type not in ("string", "property_identifier", "number"):
                raise UsageError(f"{excerpt(tree.text(key))} is a computed key, not a literal")
            members[name] = _value(value, tree)
        return members
    raise UsageError(f"{excerpt(tree.text(node))} is not a literal (a string, number or object)")


def _call(tree: Tree) -> Node:
    """The one fetch(...) call of the text (optionally awaited, ending with `;`)."""
    statements = named_children(tree.root)
    if len(statements) != 1 or statements[0].type != "expression_statement":
        found = f"{len(statements)} statements" if len(statements) > 1 else "no expression"
        raise UsageError(
            f"only a single fetch(...) call with literal arguments is read, not a script "
            f"({found}: declarations, variables or several calls): paste Copy as fetch's text"
        )
    expression = named_children(statements[0])[0]
    if expression.type == "await_expression":
        expression = named_children(expression)[0]
    function = (
        expression.child_by_field_name("function") if expression.type == "call_expression" else None
    )
    if function is None or tree.text(function) not in ("fetch", "window.fetch", "globalThis.fetch"):
        raise UsageError(f"not a fetch(...) call: {excerpt(tree.text(expression))}")
    return expression


def _headers(value: Literal) -> list[tuple[str, str]]:
    """The headers option: an object of name -> string, or an array of [name, value] pairs."""
    if value is None:
        return []
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, list) and all(isinstance(p, list) and len(p) == 2 for p in value):
        items = [(str(p[0]), p[1]) for p in value if isinstance(p, list)]
    else:
        raise UsageError("fetch()'s headers must be an object of strings or [name, value] pairs")
    pairs: list[tuple[str, str]] = []
    for name, item in items:
        if not isinstance(item, str):
            raise UsageError(f"the value of header {excerpt(name)} is not a string")
        pairs.append((name, item))
    return pairs


def _text_option(options: dict[str, Literal], name: str) -> str | None:
    value = options.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise UsageError(f"fetch()'s {name} must be a string")
    return value


def _shape_engine(text: str) -> str | None:
    """Firefox writes `await fetch(`, Chromium `fetch(` with JSON-quoted option names."""
    stripped = text.lstrip()
    if stripped.startswith("await fetch("):
        return "firefox"
    return "chrome" if stripped.startswith("fetch(") and '"method":' in stripped else None


def parse_fetch(text: str) -> CapturedRequest:
    """A "Copy as fetch" / "Copy as Node.js fetch" text -> the request it holds.

    The source is `fetch` when the options name `mode` or `credentials` (the browser style),
    `node-fetch` otherwise. Raises UsageError for a syntax error (line and column), anything but
    one fetch call, a value that is not a literal, an unknown option, or a non-string URL.
    """
    tree = parse("javascript", text, "the fetch call")
    call = _call(tree)
    arguments = call.child_by_field_name("arguments")
    values = [_value(a, tree) for a in named_children(arguments)] if arguments else []
    if not values or not isinstance(values[0], str) or len(values) > 2:
        raise UsageError("fetch() takes the URL as a string and an optional options object")
    options = values[1] if len(values) == 2 else {}
    if not isinstance(options, dict):
        raise UsageError("fetch()'s second argument must be an options object")
    unknown = sorted(set(options) - OPTIONS)
    if unknown:
        raise UsageError(f"fetch() option {excerpt(unknown[0])} is not one cors-probe reads")
    headers = _headers(options.get("headers"))
    body_value = options.get("body")
    if body_value is not None and not isinstance(body_value, str):
        raise UsageError("fetch()'s body must be a string (DevTools copies it as one)")
    method = _text_option(options, "method") or "GET"
    browser_style = "mode" in options or "credentials" in options
    return CapturedRequest(
        url=values[0],
        method=method,
        headers=tuple(headers),
        body=body_value.encode("utf-8", "surrogatepass") if body_value is not None else None,
        credentials=_text_option(options, "credentials"),
        mode=_text_option(options, "mode"),
        referrer=_text_option(options, "referrer"),
        source="fetch" if browser_style else "node-fetch",
        engine=engine_of(headers, _shape_engine(text)),
    )
