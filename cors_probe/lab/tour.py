"""The demo's tour of the lab: one request shape per endpoint, as a page's script would make it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cors_probe.inputs.request import RequestOptions, build
from cors_probe.model import RequestShape

DEMO_ORIGIN = "http://localhost:3000"


@dataclass(frozen=True)
class Stop:
    path: str
    shape: str
    """How the request looks, in a few words, for the table."""
    method: str = "GET"
    headers: tuple[str, ...] = ()
    credentials: bool = False
    body: str | None = None


JSON = ("Content-Type: application/json",)

TOUR: tuple[Stop, ...] = (
    Stop("/good", "PUT json, credentials", "PUT", JSON, credentials=True, body="{}"),
    Stop("/no-cors", "GET", "GET"),
    Stop("/wildcard-credentials", "GET, credentials", "GET", credentials=True),
    Stop("/joined-list", "GET", "GET"),
    Stop("/no-put", "PUT json", "PUT", JSON, body="{}"),
    Stop("/no-content-type", "POST json", "POST", JSON, body="{}"),
    Stop("/options-405", "DELETE", "DELETE"),
    Stop("/preflight-redirect", "PUT json", "PUT", JSON, body="{}"),
    Stop("/no-vary", "GET", "GET"),
    Stop("/error-500", "POST json", "POST", JSON, body="{}"),
    Stop("/redirect-cross", "GET", "GET"),
    Stop("/client-hint", "GET, DPR: 2", "GET", ("DPR: 2",)),
)


def shapes(url: Callable[[str], str]) -> list[tuple[str, str, RequestShape]]:
    """(path, label, request shape) of every stop, at the lab whose URLs `url(path)` gives."""
    return [
        (
            stop.path,
            stop.shape,
            build(
                RequestOptions(
                    url=url(stop.path),
                    origin=DEMO_ORIGIN,
                    method=stop.method,
                    headers=stop.headers,
                    credentials=stop.credentials,
                    data=stop.body,
                )
            ),
        )
        for stop in TOUR
    ]
