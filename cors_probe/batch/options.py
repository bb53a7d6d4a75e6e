"""Choices of `cors-probe run` that the CLI names before importing anything heavy."""

from enum import StrEnum


class Unreachable(StrEnum):
    """What an unreachable target means for the run (`--unreachable`)."""

    ERROR = "error"
    """Exit 3 (when no expectation failed): the run could not say."""
    FAIL = "fail"
    """Count it as a failed expectation: exit 1."""
    SKIP = "skip"
    """Report it as skipped; it changes nothing."""
