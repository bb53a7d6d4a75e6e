"""`python -m cors_probe` runs the command-line interface."""

from cors_probe.cli import main

raise SystemExit(main())
