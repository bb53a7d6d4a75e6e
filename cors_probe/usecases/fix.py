"""`cors-probe fix`: the checks of every allowed origin -> the FixRequest a report carries."""

from __future__ import annotations

from collections.abc import Sequence

from cors_probe.model import FixRequest, Report


def fix_request(reports: Sequence[Report], servers: tuple[str, ...], *, public: bool) -> FixRequest:
    """The FixRequest for `servers` from one report per allowed origin (the allow-list in the
    order checked, each with today's verdict). `reports` must not be empty (ValueError)."""
    if not reports:
        raise ValueError("fix_request needs at least one report")
    origins = tuple(dict.fromkeys(r.shape.origin.serialise() for r in reports))
    checked = tuple((r.shape.origin.serialise(), r.outcome.verdict) for r in reports)
    return FixRequest(servers=servers, origins=origins, public=public, checked=checked)
