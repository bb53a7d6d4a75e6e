"""The simulator page's prediction: the page's settings, judged by the same engine as `check`."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from cors_probe.errors import UsageError
from cors_probe.model import Headers
from cors_probe.render.json import to_dict
from cors_probe.simulate import Answer, Answers, simulate
from cors_probe.userinput import build_shape, parse_header


def _answer(part: Any, default_status: int) -> Answer:
    if not isinstance(part, dict):
        raise ValueError("each answer must be an object with status and headers")
    status = part.get("status", default_status)
    if not isinstance(status, int):
        raise ValueError("status must be a number")
    pairs = [parse_header(f"{name}: {value}") for name, value in part.get("headers", [])]
    return Answer(status, Headers(tuple(pairs)))


def predict(settings: Any) -> dict[str, Any]:
    """cors-probe's report for the fetch() the page is about to make (ValueError on bad input)."""
    if not isinstance(settings, dict):
        raise ValueError("settings must be an object")
    try:
        shape = build_shape(
            str(settings["url"]),
            str(settings["origin"]),
            str(settings.get("method") or "GET"),
            [f"{name}: {value}" for name, value in settings.get("headers", [])],
            bool(settings.get("credentials")),
            None,
            None,
        )
        body = settings.get("body")
        if body:  # the page's string body; never `@FILE`, which would read the lab's disk
            shape = replace(shape, body=str(body).encode("utf-8"))
        answers = Answers(
            _answer(settings.get("preflight", {}), 204), _answer(settings.get("response", {}), 200)
        )
    except (KeyError, TypeError) as error:
        raise ValueError(f"incomplete settings: {error}") from error
    except UsageError as error:
        raise ValueError(str(error)) from error
    return to_dict(simulate(shape, answers))
