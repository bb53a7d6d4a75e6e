"""Process exit codes: one member per outcome class.

The README's "Exit codes" table is tested against this enum, so a new member needs a row there.
"""

from enum import IntEnum


class ExitCode(IntEnum):
    ALLOWED = 0
    """The browser would allow the request and let the page read the response."""
    BLOCKED = 1
    """The browser would block it (or fetch() would throw before sending anything)."""
    USAGE = 2
    """Bad usage or input: nothing was sent."""
    UNREACHABLE = 3
    """The server could not be reached: DNS, refused, TLS, time-out or a broken response."""
    INCOMPLETE = 4
    """The actual request was not sent for want of consent; the preflight result is reported."""
    INTERNAL = 70
    """A bug in cors-probe (EX_SOFTWARE); run with --debug and report it."""
    INTERRUPTED = 130
    """Interrupted with Ctrl-C."""
