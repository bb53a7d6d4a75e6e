"""A short, masked quote of the user's text for a one-line error message.

A capture ("Copy as cURL", "Copy as fetch") carries cookies, tokens and API keys; an error about
it quotes at most EXCERPT characters, with every secret-looking value masked first (so a cut
does not leave the start of a secret a later scrub by value would no longer recognise): the
credential after an auth scheme (`Bearer abc`), the value after a secret name
(cors_probe/secrets.py: `authorization: ...`, `"cookie": "..."`, `api_key=...`).
"""

from __future__ import annotations

import re

from cors_probe.secrets import MASK, is_secret_param

EXCERPT = 40
"""The most characters of the user's text an error message quotes."""
_SCHEME_CREDENTIAL = re.compile(r"(?i)\b(Bearer|Basic|Token|Digest)(\s+)[^\s'\"`]+")
_NAME = re.compile(r"""(?:(?<=\s)(?:-b|--cookie)\s+|(?P<name>[A-Za-z][\w.-]*)["'`]?\s*[:=]\s*)""")
_QUOTED = re.compile(r""""[^"]*"?|'[^']*'?|`[^`]*`?""")
_UNQUOTED = re.compile(r"""[^\s"'`,;&{}\[\]]+""")
"""An unquoted value: to a space, a separator or a bracket (curl's `-b a=b;c=d` is one word)."""
_COOKIE_VALUE = re.compile(r"""[^"'`\n]+""")


def mask_secrets(text: str) -> str:
    """`text` with secret-looking values replaced by `****` (see the module's docstring): a
    Cookie's whole value to the line's end, any other secret name's (and curl's `-b`) value up
    to `;`, `&`, a comma or a space, a quoted value to its closing quote."""
    text = _SCHEME_CREDENTIAL.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
    out: list[str] = []
    position = 0
    while (found := _NAME.search(text, position)) is not None:
        name = found.group("name")
        if name is not None and not is_secret_param(name):
            out.append(text[position : found.end("name")])
            position = found.end("name")
            continue
        out.append(text[position : found.end()])
        cookie = name is not None and name.lower() in ("cookie", "set-cookie")
        value = _QUOTED.match(text, found.end()) or (_COOKIE_VALUE if cookie else _UNQUOTED).match(
            text, found.end()
        )
        if value is None:
            position = found.end()
            continue
        raw = value.group(0)
        quote = raw[0] if raw[0] in "\"'`" else ""
        closing = quote if quote and len(raw) > 1 and raw.endswith(quote) else ""
        out.append(f"{quote}{MASK}{closing}" if raw.strip(quote) != MASK else raw)
        position = value.end()
    out.append(text[position:])
    return "".join(out)


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """`text` masked (mask_secrets), cut to `limit` characters with `…`, quoted as repr() does:
    `'curl http://a.test/ -H \\'Authorization: ****\\''`."""
    masked = mask_secrets(text)
    return repr(masked if len(masked) <= limit else masked[:limit] + "…")
