"""Regenerate completions/ from the typer app: `python scripts/gen_completions.py [--check]`.

The scripts call back into `cors-probe` (typer's completion protocol), so they stay correct as
options change; what can drift is the script text itself, which `--check` (and a test) verifies.
"""

from __future__ import annotations

import sys
from pathlib import Path

from typer._completion_shared import get_completion_script

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"bash": "cors-probe.bash", "zsh": "_cors-probe", "fish": "cors-probe.fish"}


def scripts() -> dict[Path, str]:
    return {
        ROOT / "completions" / name: get_completion_script(
            prog_name="cors-probe", complete_var="_CORS_PROBE_COMPLETE", shell=shell
        ).rstrip("\n")
        + "\n"
        for shell, name in TARGETS.items()
    }


def main(argv: list[str]) -> int:
    stale = [
        path for path, text in scripts().items() if not path.exists() or path.read_text() != text
    ]
    if "--check" in argv:
        for path in stale:
            print(f"{path.relative_to(ROOT)} is out of date: run python scripts/gen_completions.py")
        return 1 if stale else 0
    for path, text in scripts().items():
        path.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
