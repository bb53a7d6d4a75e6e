"""Why a preflight is needed, in words: one clause per trigger."""

from __future__ import annotations

from collections.abc import Sequence

from cors_probe.codes import TriggerReason as R
from cors_probe.model import Trigger


def describe_trigger(trigger: Trigger) -> str:
    name, value = trigger.name or "", trigger.value or ""
    match trigger.reason:
        case R.METHOD:
            return f"the method {value} is not GET, HEAD or POST"
        case R.HEADER_NAME:
            return f"{name} is not a CORS-safelisted header"
        case R.CONTENT_TYPE:
            return (
                f"Content-Type {value or '(empty)'} is not one of the simple types "
                "(application/x-www-form-urlencoded, multipart/form-data, text/plain)"
            )
        case R.UNSAFE_BYTE:
            return (
                f"{name} {value} contains a byte browsers consider unsafe "
                '(such as " ( ) : < > ? @ [ ] { })'
            )
        case R.VALUE_TOO_LONG:
            return f"the {name} value is longer than 128 bytes"
        case R.VALUE_NOT_ALLOWED:
            return f"{name} {value or '(empty)'} has characters its safelist rule does not allow"
        case R.RANGE:
            return f"Range {value} is not a single simple byte range (bytes=start-[end])"
        case R.TOTAL_TOO_LONG:
            return f"the safelisted header values add up to {value} bytes, more than 1024"
        case R.REDIRECT:
            return "the request was preflighted before it was redirected (Firefox preflights again)"


def describe_triggers(triggers: Sequence[Trigger]) -> str:
    """`preflight needed because A; B` (no final period), or "" when nothing triggers one."""
    if not triggers:
        return ""
    return "preflight needed because " + "; ".join(describe_trigger(t) for t in triggers)
