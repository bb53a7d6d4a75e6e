"""`--baseline FILE`: a previous run's JSON document, read with the same caps as every file."""

from __future__ import annotations

from cors_probe.inputs.request import read_file
from cors_probe.usecases.baseline import Prior, parse_baseline


def load_baseline(path: str) -> dict[str, Prior]:
    """The previous run's checks by id (UsageError: unreadable, too large, not a run document)."""
    return parse_baseline(path, read_file(path, f"--baseline {path!r}"))
