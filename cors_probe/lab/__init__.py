"""The embedded lab: local endpoints that answer like real (and really misconfigured) APIs."""
