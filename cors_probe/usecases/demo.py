"""`cors-probe demo`: the lab's endpoints checked one after the other, as a tour.

The lab is our own server on loopback, started by the caller: its endpoints have no side effects,
so every request is sent without asking.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cors_probe.model import Report, RequestShape
from cors_probe.policy.browsers import BROWSERS, Browser
from cors_probe.usecases import check


@dataclass(frozen=True, slots=True)
class Stop:
    """One endpoint of the tour: where, what the request looks like in a few words, the report."""

    path: str
    label: str
    report: Report


@dataclass(frozen=True, slots=True)
class Tour:
    origin: str
    """The page's origin every stop is called from."""
    stops: tuple[Stop, ...]


def tour(
    origin: str,
    stops: Sequence[tuple[str, str, RequestShape]],
    send: check.SendFn,
    browsers: Sequence[Browser] = BROWSERS,
) -> Tour:
    """Check each (path, label, shape) in order through `send` (the probe, against the lab), in
    every engine of `browsers` (each stop's Report is the first engine's, the others' in
    `Report.others`), so the tour shows where the engines split."""
    return Tour(
        origin,
        tuple(
            Stop(path, label, check.run(shape, send, browsers=browsers, consent=lambda _: True))
            for path, label, shape in stops
        ),
    )
