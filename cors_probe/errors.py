"""Exceptions raised at the edges, never inside the policy core.

    CorsProbeError
     ├── UsageError        bad input, raised before any I/O          -> ExitCode.USAGE (2)
 │    └── PolicyError  a mistake in a policy file, `file:line: message`
     └── ProbeError        the network failed; carries a FailureKind -> ExitCode.UNREACHABLE (3)

What a *server* does wrong is not an exception: it is a `Finding` value. A `ProbeError` is turned
into a `TransportFailure` value before it reaches the policy core.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cors_probe.model import FailureKind, TransportFailure


class CorsProbeError(Exception):
    """Base of every error cors-probe reports to the user as one line."""


class UsageError(CorsProbeError):
    """The user's input cannot be turned into a request a browser could make."""


class PolicyError(UsageError):
    """A mistake in the policy file: `file:line: message` (just `file: message` with no line)."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")
        self.path, self.line = path, line


class ProbeError(CorsProbeError):
    """Sending one request failed below HTTP: no response was received."""

    def __init__(self, kind: FailureKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message

    def as_failure(self) -> TransportFailure:
        from cors_probe.model import TransportFailure

        return TransportFailure(kind=self.kind, message=self.message)
