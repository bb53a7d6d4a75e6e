"""What the network layer saw of one attempt at a request, for the async path.

The async transport fills it in while the attempt runs (a context variable set by the prober
for the task that sends); the prober reads it to word a failure ("the server sent headers too
slowly (12 bytes in 2 s)") and to decide whether a failure is a stale kept-alive connection
that may be retried. A transport that does not fill it in (a test's) leaves `used` False.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(slots=True)
class Watched:
    """One attempt's facts as the transport saw them."""

    used: bool = False
    """The attempt went out over a connection the transport watches."""
    fresh: bool = False
    """That connection was opened for this attempt (not a kept-alive one)."""
    received: int = 0
    """Bytes of the response read from the network so far (head and body)."""
    head: bool = False
    """The end of the response's head has been received."""
    broken: str | None = None
    """Why the response's body could not be read to its end (a bad chunk), if it could not."""
    server_ip: str | None = None
    """The address the connection is connected to."""


SERVER_IP = "cors_probe.server_ip"
"""The response extension where a watching transport puts the server's address (str or None)."""

PROXY = "cors_probe.proxy"
"""The request extension naming the http(s):// proxy to send it through (None: direct)."""

current: ContextVar[Watched | None] = ContextVar("cors_probe_watched", default=None)
"""The attempt the running task is sending, if the prober watches it."""
