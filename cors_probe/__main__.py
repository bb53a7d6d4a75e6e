"""`python -m cors_probe` runs the command-line interface."""

from cors_probe.cli.app import main

raise SystemExit(main())
