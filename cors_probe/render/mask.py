"""Secrets never reach the terminal or a CI log unless the user asks (`--show-secrets`)."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from cors_probe.model import Finding, Headers, Trigger
from cors_probe.secrets import MASK, is_secret


def mask_value(name: str, value: str) -> str:
    """Keep an Authorization scheme (`Bearer ****`) so the reader still sees what kind it was."""
    if name.lower() in ("authorization", "proxy-authorization"):
        scheme, space, _ = value.partition(" ")
        return f"{scheme} {MASK}" if space else MASK
    return MASK


@lru_cache(maxsize=1024)  # pure; every header name of every exchange is asked about
def masks(name: str) -> bool:
    """Whether a header named `name` has its value masked: a secret's name (`is_secret`), but
    not an Access-Control-* header (`Access-Control-Allow-Credentials` names no secret)."""
    return is_secret(name) and not name.lower().startswith("access-control-")


def masked_pairs(headers: Headers, show_secrets: bool) -> list[tuple[str, str]]:
    """`headers` as (name, value) pairs, secret values masked (`mask_value`) unless
    `show_secrets`. Most header lists hold no secret: they are copied as they are."""
    pairs = headers.pairs
    if show_secrets:
        return list(pairs)
    for name, _ in pairs:
        if masks(name):
            return [(n, mask_value(n, v) if masks(n) else v) for n, v in pairs]
    return list(pairs)


def _hidden(name: str | None, value: str | None, show_secrets: bool) -> str | None:
    if show_secrets or name is None or value is None or name.lower().startswith("access-control-"):
        return value
    return mask_value(name, value) if is_secret(name) else value


def masked_trigger(trigger: Trigger, show_secrets: bool) -> Trigger:
    """A preflight trigger names the header and, for value rules, its value: mask that too."""
    value = _hidden(trigger.name, trigger.value, show_secrets)
    return trigger if value == trigger.value else replace(trigger, value=value)


def masked_finding(finding: Finding, show_secrets: bool) -> Finding:
    """Findings about a request header (a forbidden Cookie, say) carry its value."""
    value = _hidden(finding.header, finding.value, show_secrets)
    return finding if value == finding.value else replace(finding, value=value)
