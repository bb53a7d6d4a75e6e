"""The simulator page's prediction: the page's settings, judged by the same engine as `check`."""

from __future__ import annotations

from typing import Any

from cors_probe.errors import UsageError
from cors_probe.inputs.answers import from_json
from cors_probe.inputs.request import RequestOptions, build
from cors_probe.render.json import to_dict
from cors_probe.usecases.simulate import Answers, simulate


def predict(settings: Any) -> dict[str, Any]:
    """cors-probe's report for the fetch() the page is about to make (ValueError on bad input)."""
    if not isinstance(settings, dict):
        raise ValueError("settings must be an object")
    try:
        shape = build(
            RequestOptions(
                url=str(settings["url"]),
                origin=str(settings["origin"]),
                method=str(settings.get("method") or "GET"),
                headers=[f"{name}: {value}" for name, value in settings.get("headers", [])],
                credentials=bool(settings.get("credentials")),
                # the page's string body; never `@FILE`, which would read the lab's disk
                data=str(settings["body"]) if settings.get("body") else None,
                read_files=False,
            )
        )
        answers = Answers(
            from_json(settings.get("preflight", {}), 204),
            from_json(settings.get("response", {}), 200),
        )
    except (KeyError, TypeError) as error:
        raise ValueError(f"incomplete settings: {error}") from error
    except UsageError as error:
        raise ValueError(str(error)) from error
    return to_dict(simulate(shape, answers))
