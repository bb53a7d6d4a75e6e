"""What counts as a secret: header names whose values never reach an output unasked.

Part of the base: the policy-file loader refuses literal secrets by these names, and the renderers
mask them (`render.mask` by name, `render.scrub` by value).
"""

from __future__ import annotations

import re

SECRET_NAMES = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
SECRET_LIKE = re.compile(r"(api[-_]?key|token|secret|passw(or)?d|session|auth|credential)", re.I)
MASK = "****"
MIN_SECRET = 4
"""Shorter environment values are not masked: hiding every "1" in a report would hide nothing."""


def is_secret(name: str) -> bool:
    """Whether a header named `name` carries a secret (Authorization, Cookie, API-key-like)."""
    lowered = name.lower()
    return lowered in SECRET_NAMES or bool(SECRET_LIKE.search(lowered))
