"""cors-probe: would a browser allow this cross-origin fetch(), and if not, exactly why."""

__version__ = "0.1.0"
