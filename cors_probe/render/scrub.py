"""Values from the environment that went into headers or bodies never reach an output.

Header values are already masked by name (Authorization, Cookie, API-key-like names); this
catches the rest wherever they show up (a custom header, a body, a server echoing it back), in
each escaping an output format gives them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from xml.sax.saxutils import escape

from cors_probe.secrets import MASK


def scrub(text: str, secrets: Iterable[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        forms = {secret, json.dumps(secret, ensure_ascii=False)[1:-1], escape(secret)}
        forms.add(escape(secret, {'"': "&quot;"}))
        for form in forms:
            text = text.replace(form, MASK)
    return text
