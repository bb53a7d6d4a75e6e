"""Every performance target of cors-probe, as ratios to floors measured in the same run.

    python benchmarks/run.py [--runs N] [--quick] [--no-batch] [--checks N] [--batch-runs N]
                             [--json FILE]

First start-up and a single check (`--help`, `check --format json`, `check` with the text report)
against their floors; then, unless --no-batch, the batch benchmark of benchmarks/batch.py
(`cors-probe run` beside raw aiohttp and httpx loops, the --jobs sweep, memory at 10 x --checks).
The last line says how many targets were met, "N of M targets met".

What a user installs is what is measured: a runtime-only virtualenv in `benchmarks/.venv` with
`pip install .` (no test extras), plus aiohttp for the raw aiohttp loop. That matters: with the
test tools installed, click is importable, and httpx then imports its own command-line module at
import time, which would make every start-up look slower than a user's.

Each round runs every command once, in a rotated order, so that machine noise spreads evenly;
the figures are medians over the rounds. The API server runs in a separate process
(`benchmarks/server.py`, or nginx for the batch). A benchmark informs, it does not fail: the exit
code is 0 whether or not a target is met.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.targets import Target, summary

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VENV = HERE / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
STAMP = VENV / "cors-probe-source.sha256"
ORIGIN = "http://localhost:3000"


@dataclass(frozen=True)
class Pair:
    name: str
    subject: Sequence[str]
    baseline: Sequence[str] | None
    baseline_name: str
    target: float | None


def source_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted([ROOT / "pyproject.toml", *(ROOT / "cors_probe").rglob("*")]):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_venv() -> None:
    """Create benchmarks/.venv once; reinstall cors-probe when its sources changed."""
    wanted = source_hash()
    if not PYTHON.exists():
        print("creating benchmarks/.venv (runtime dependencies only) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        pip = [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, str(ROOT)], check=True)
    elif not STAMP.exists() or STAMP.read_text() != wanted:
        print("reinstalling cors-probe into benchmarks/.venv ...", flush=True)
        pip = [str(PYTHON), "-m", "pip", "--disable-pip-version-check"]
        subprocess.run(
            [*pip, "install", "--quiet", "--no-deps", "--force-reinstall", str(ROOT)], check=True
        )
    # every time, not only after a reinstall: a venv left without a dependency (uvloop, aiohttp)
    # would still run, on the slower path, and the figures would measure that path
    pip = [str(PYTHON), "-m", "pip", "--disable-pip-version-check"]
    if subprocess.run([*pip, "check"], capture_output=True, check=False).returncode != 0:
        print("installing cors-probe's missing dependencies into benchmarks/.venv ...", flush=True)
        subprocess.run([*pip, "install", "--quiet", str(ROOT)], check=True)
    STAMP.write_text(wanted)


def stop_on_sigterm() -> None:
    """A SIGTERM unwinds like Ctrl-C (SystemExit 143), so that the API servers (nginx, server.py)
    are stopped and their temporary folders removed instead of being left running."""

    def leave(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, leave)


def start_server() -> tuple[subprocess.Popen[str], int]:
    process = subprocess.Popen(
        [str(PYTHON), str(HERE / "server.py")],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.strip().isdigit():
        process.kill()
        raise SystemExit(f"the benchmark server did not start: {line!r}")
    return process, int(line)


def stop(process: subprocess.Popen[Any]) -> None:
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if process.stdout is not None:
        process.stdout.close()


ENV = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100", "TERM": "dumb"}
for _name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
    ENV.pop(_name, None)


def timed(command: Sequence[str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        env=ENV,
        check=False,
    )
    return (time.perf_counter() - started) * 1000


def warm_up(pairs: Sequence[Pair], check_json: Sequence[str]) -> None:
    """Run everything once, and make sure the check really is allowed (else the figures lie)."""
    for pair in pairs:
        for command in (pair.subject, pair.baseline):
            if command is not None:
                timed(command)
    completed = subprocess.run(
        check_json, capture_output=True, text=True, env=ENV, stdin=subprocess.DEVNULL, check=False
    )
    if completed.returncode != 0:
        raise SystemExit(f"the measured check failed ({completed.returncode}): {completed.stderr}")
    verdict = json.loads(completed.stdout)["verdict"]
    if verdict != "allowed":
        raise SystemExit(f"the measured check's verdict is {verdict!r}, not 'allowed'")


def measure(pairs: Sequence[Pair], runs: int) -> dict[str, list[float]]:
    commands: dict[str, Sequence[str]] = {}
    for pair in pairs:
        commands[f"{pair.name}:subject"] = pair.subject
        if pair.baseline is not None:
            commands.setdefault(f"baseline:{pair.baseline_name}", pair.baseline)
    names = list(commands)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for round_number in range(runs):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(timed(commands[name]))
    return samples


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="cors-probe performance targets")
    parser.add_argument(
        "--runs", type=int, default=15, help="start-up rounds (at least 10; default 15)"
    )
    parser.add_argument("--quick", action="store_true", help="10 start-up and 2 batch rounds")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument(
        "--no-batch", action="store_true", help="skip the `cors-probe run` batch benchmark"
    )
    parser.add_argument("--checks", type=int, default=2000, help="checks per batch run")
    parser.add_argument("--batch-runs", type=int, help="batch rounds (default 3, --quick 2)")
    args = parser.parse_args(argv)
    runs = 10 if args.quick else args.runs
    if runs < 10:
        parser.error("--runs must be at least 10")
    batch_runs = args.batch_runs or (2 if args.quick else 3)
    if args.checks < 1 or batch_runs < 1:
        parser.error("--checks and --batch-runs must be at least 1")

    stop_on_sigterm()
    ensure_venv()
    startup, targets = startup_bench(runs)
    figures: dict[str, Any] = {"startup": startup, "batch": None}
    if not args.no_batch:
        sys.path.insert(0, str(ROOT))
        from benchmarks import batch

        settings = batch.Settings(
            checks=args.checks, runs=batch_runs, memory_checks=10 * args.checks
        )
        figures["batch"], batch_targets = batch.bench(settings)
        targets += batch_targets
    figures["targets"] = [t.as_json() for t in targets]
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"\n{summary(targets)}.")
    return 0


def startup_bench(runs: int) -> tuple[dict[str, Any], list[Target]]:
    """Measure and print start-up and single-check costs: (figures for --json, judged targets)."""
    load_start = os.getloadavg()
    server, port = start_server()
    try:
        url = f"http://127.0.0.1:{port}/api"
        cli = str(BIN / "cors-probe")
        check = [cli, "check", url, "--origin", ORIGIN, "-X", "PUT"]
        check += ["-H", "Content-Type: application/json", "-d", "{}", "--yes"]
        check_json = [*check, "--format", "json"]
        py = str(PYTHON)
        minimal = [py, str(HERE / "minimal_httpx.py"), url]
        curl = shutil.which("curl")
        pairs = [
            Pair("--help", [cli, "--help"], [py, "-c", "import typer"], "import typer", 1.3),
            Pair("check --format json", check_json, minimal, "minimal httpx script", 1.5),
            Pair("check (text report)", check, minimal, "minimal httpx script", 2.0),
        ]
        if curl is not None:
            both = (
                f"{curl} -s -o /dev/null -X OPTIONS -H 'Origin: {ORIGIN}' "
                f"-H 'Access-Control-Request-Method: PUT' "
                f"-H 'Access-Control-Request-Headers: content-type' {url} && "
                f"{curl} -s -o /dev/null -X PUT -H 'Origin: {ORIGIN}' "
                f"-H 'Content-Type: application/json' --data '{{}}' {url}"
            )
            pairs.append(
                Pair("check --format json", check_json, ["sh", "-c", both], "two curl runs", None)
            )
        pairs.append(Pair("python -c pass", [py, "-c", "pass"], None, "", None))
        warm_up(pairs, check_json)
        samples = measure(pairs, runs)
    finally:
        stop(server)
    load_end = os.getloadavg()

    version = subprocess.run(
        [str(BIN / "cors-probe"), "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    print(
        f"\n{version}, Python {sys.version.split()[0]}, medians of {runs} interleaved runs; "
        f"load average {' '.join(f'{x:.2f}' for x in load_start)} at start, "
        f"{' '.join(f'{x:.2f}' for x in load_end)} at end\n"
    )
    header = f"{'measured':<22} {'ms':>7}   {'baseline':<22} {'ms':>7}   {'ratio':>6}  target"
    print(header)
    print("-" * len(header))
    results: list[dict[str, Any]] = []
    targets: list[Target] = []
    for pair in pairs:
        subject = statistics.median(samples[f"{pair.name}:subject"])
        if pair.baseline is None:
            print(f"{pair.name:<22} {subject:>7.1f}")
            results.append({"name": pair.name, "ms": subject})
            continue
        base = statistics.median(samples[f"baseline:{pair.baseline_name}"])
        ratio = subject / base
        verdict = "info"
        if pair.target is not None:
            target = Target(f"{pair.name} / {pair.baseline_name}", ratio, pair.target, True)
            targets.append(target)
            verdict = f"{target.wanted}  {target.verdict}"
        print(
            f"{pair.name:<22} {subject:>7.1f}   {pair.baseline_name:<22} {base:>7.1f}   "
            f"{ratio:>6.2f}  {verdict}"
        )
        results.append(
            {
                "name": pair.name,
                "ms": subject,
                "baseline": pair.baseline_name,
                "baseline_ms": base,
                "ratio": ratio,
                "target": pair.target,
            }
        )
    figures = {
        "runs": runs,
        "load_average": {"start": load_start, "end": load_end},
        "results": results,
    }
    return figures, targets


if __name__ == "__main__":
    sys.exit(main())
