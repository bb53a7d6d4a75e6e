"""The simulator page's prediction: the page's settings, judged by the same engine as `check`,
for the engine of the browser that runs the page (told by its User-Agent)."""

from __future__ import annotations

from typing import Any

from cors_probe.errors import UsageError
from cors_probe.inputs.answers import from_json
from cors_probe.inputs.request import RequestOptions, build
from cors_probe.policy.browsers import CHROMIUM, FIREFOX, WEBKIT, Browser
from cors_probe.render.json import to_dict
from cors_probe.usecases.simulate import Answers, simulate


def engine_of(user_agent: str) -> Browser:
    """The engine a User-Agent names: `Firefox/` is Firefox; `Chrome/` or `Chromium/` (Chrome,
    Edge, Opera, which also say AppleWebKit and Safari) is Chromium; any other `AppleWebKit` is
    WebKit (Safari, Epiphany); anything else, or nothing, is taken for Chromium."""
    if "Firefox/" in user_agent:
        return FIREFOX
    if "Chrome/" in user_agent or "Chromium/" in user_agent:
        return CHROMIUM
    if "AppleWebKit" in user_agent:
        return WEBKIT
    return CHROMIUM


def predict(settings: Any, user_agent: str = "") -> dict[str, Any]:
    """cors-probe's report for the fetch() the page is about to make, in the engine of the
    browser whose `user_agent` asked (ValueError on bad input): the check document of
    `render.json.to_dict`, plus `predicted_for`: the engine's report key, name and version."""
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
    engine = engine_of(user_agent)
    document = to_dict(simulate(shape, answers, (engine,)))
    document["predicted_for"] = {
        "browser": engine.name,
        "label": engine.label,
        "engine": engine.engine,
    }
    return document
