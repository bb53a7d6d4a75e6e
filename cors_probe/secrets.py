"""What counts as a secret: header names (and URL query names) whose values never reach an output
unasked.

Part of the base: the policy-file loader refuses literal secrets by these names, and the renderers
mask them (`render.mask` by name, `render.scrub` by value).
"""

from __future__ import annotations

import re
from functools import lru_cache

SECRET_NAMES = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-honeycomb-team",
        "x-shopify-hmac-sha256",
    }
)
SECRET_LIKE = re.compile(
    r"(api[-_]?key|token|secret|passw(or)?d|session|auth|credential|jwt|signature|hmac|csrf|xsrf"
    r"|(subscription|functions|application|app|access|private|master|client|license|account)"
    r"[-_]?key|^x-stripe-|^x-vault-)",
    re.I,
)
"""API keys of common gateways and platforms: x-api-key, x-functions-key (Azure Functions),
ocp-apim-subscription-key (Azure APIM), x-goog-api-key, x-amz-security-token, private-token
(GitLab), x-hub-signature, stripe-signature, dd-api-key, dd-application-key, x-rapidapi-key..."""
SECRET_PARAMS = frozenset({"key", "sig", "code", "pwd", "pass", "pw"})
"""Query parameter names that carry a secret besides the secret-like ones (`?key=` of Google APIs,
`?sig=` of Azure SAS URLs, an OAuth `?code=`)."""
MASK = "****"
MIN_SECRET = 4
"""Shorter environment values are not masked: hiding every "1" in a report would hide nothing."""


@lru_cache(maxsize=1024)  # pure; every header of every exchange is asked about
def is_secret(name: str) -> bool:
    """Whether a header named `name` carries a secret (Authorization, Cookie, API-key-like)."""
    lowered = name.lower()
    return lowered in SECRET_NAMES or bool(SECRET_LIKE.search(lowered))


def is_secret_param(name: str) -> bool:
    """Whether a URL query parameter named `name` carries a secret (`api_key`, `token`, `sig`)."""
    return name.lower() in SECRET_PARAMS or is_secret(name)
