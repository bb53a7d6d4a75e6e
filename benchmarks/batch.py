"""`cors-probe run` at scale: throughput, CPU and memory, beside raw loops sending its requests.

    python benchmarks/batch.py [--checks 2000] [--jobs 16] [--sweep 1,4,16,64] [--runs 3]
                               [--memory-checks 20000] [--json FILE]

A policy file of CHECKS checks (each a preflight + a PUT, so 2 x CHECKS requests) against a local
API in its own process (nginx when installed, else benchmarks/server.py). Every figure comes from
whole processes: wall seconds, CPU seconds (user + sys) and peak RSS from os.wait4's rusage, taken
in a small launcher process so that the benchmark's own memory is not counted (LAUNCHER).
Interleaved rounds (each round runs every command once, in a rotated order), medians:

- `cors-probe run --jobs JOBS` (writing the JSON report) beside `raw_aiohttp_loop.py` (the floor:
  one aiohttp ClientSession, JOBS in flight, nothing else) and `raw_httpx_loop.py` (a default
  httpx.AsyncClient loop). Targets: throughput >= 0.3 x the aiohttp loop and >= 3 x the httpx
  loop (judged on wall seconds; the CPU ratio is printed beside it: on a shared machine it is the
  stable one); CPU per check <= 1.5 ms.
- the --jobs sweep: `cors-probe run` at each of SWEEP; target: throughput does not fall as --jobs
  grows, each step >= NOISE (0.9) x the previous median.
- a run of one check in every round: the fixed cost of a run; the CPU per check beyond it is
  printed beside the CPU target (information).
- memory: the peak RSS of MEMORY_CHECKS checks (one run, same --jobs, JSON report) against the
  median peak of CHECKS checks; target <= 1.5 x.

It informs, never fails: exit 0 whatever the figures, and a last line "N of M targets met".
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.run import (
    BIN,
    ENV,
    HERE,
    PYTHON,
    ensure_venv,
    start_server,
    stop,
    stop_on_sigterm,
)
from benchmarks.targets import NOISE, Target, median, rate_ratio, step_ratios, summary

SWEEP = (1, 4, 16, 64)
ONE_CHECK = "cors-probe run, 1 check"
"""A run of one check in every round: the fixed cost (start-up, policy, report) of a run."""
AIOHTTP_FLOOR = 0.3
"""`cors-probe run` throughput at least this share of the raw aiohttp loop's."""
HTTPX_MULTIPLE = 3.0
"""`cors-probe run` throughput at least this multiple of the default httpx.AsyncClient loop's."""
CPU_MS_PER_CHECK = 1.5
MEMORY_GROWTH = 1.5
"""Peak RSS at MEMORY_CHECKS checks at most this multiple of the peak at CHECKS."""

NGINX_CONF = """daemon off;
master_process off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log crit;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    keepalive_requests 100000;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location /api/ {{
            add_header Access-Control-Allow-Origin http://localhost:3000 always;
            add_header Vary Origin always;
            if ($request_method = OPTIONS) {{
                add_header Access-Control-Allow-Origin http://localhost:3000 always;
                add_header Vary Origin always;
                add_header Access-Control-Allow-Methods PUT always;
                add_header Access-Control-Allow-Headers content-type always;
                add_header Access-Control-Max-Age 600 always;
                return 204;
            }}
            default_type application/json;
            return 200 '{{"id": 1}}';
        }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def api_server() -> Iterator[tuple[str, str]]:
    """(base URL, which server) for the run's lifetime."""
    nginx = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )
    if nginx is None:
        process, port = start_server()
        try:
            yield f"http://127.0.0.1:{port}", "benchmarks/server.py"
        finally:
            stop(process)
        return
    with tempfile.TemporaryDirectory(prefix="cors-probe-bench-") as temp:
        port = free_port()
        conf = Path(temp) / "nginx.conf"
        conf.write_text(NGINX_CONF.format(prefix=temp, port=port))
        nginx_process = subprocess.Popen(
            [nginx, "-p", temp, "-c", str(conf), "-e", f"{temp}/error.log"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or nginx_process.poll() is not None:
                        raise SystemExit("nginx did not start") from None
                    time.sleep(0.05)
            yield f"http://127.0.0.1:{port}", "nginx"
        finally:
            stop(nginx_process)


def write_policy(folder: Path, base: str, checks: int) -> Path:
    paths = ", ".join(f'"/api/{i}"' for i in range(checks))
    policy = folder / f"policy-{checks}.toml"
    policy.write_text(
        f'base_url = "{base}"\n'
        "[origins]\n"
        'front = "http://localhost:3000"\n'
        "[[check]]\n"
        'name = "put"\n'
        f"paths = [{paths}]\n"
        'origin = "front"\n'
        'method = "PUT"\n'
        'headers = ["Content-Type: application/json"]\n'
        'body = "{}"\n'
        "allow_side_effects = true\n"
        'expect = "allowed"\n'
    )
    return policy


@dataclass(frozen=True)
class Sample:
    """One process: wall seconds, CPU seconds (user + sys, itself and its waited children), peak
    RSS in MiB (ru_maxrss, KiB on Linux), exit code."""

    wall: float
    cpu: float
    rss_mib: float
    code: int


LAUNCHER = """\
import os, sys, time
report, command = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(command[0], command)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
elapsed = time.perf_counter() - started
with open(report, "w") as out:
    out.write(f"{elapsed} {usage.ru_utime + usage.ru_stime} {usage.ru_maxrss} "
              f"{os.waitstatus_to_exitcode(status)}")
"""
"""Forks and measures the command from a small process (python -S: ~10 MiB). Linux counts in a
child's peak RSS (ru_maxrss) the peak of the address space it had until exec, the parent's: a
command started straight from this benchmark, which holds the JSON reports it has read, was
charged the benchmark's own memory (87 MiB "peak" for a run that peaks at 60 MiB)."""


def measured(command: Sequence[str]) -> Sample:
    """Run `command` to its end with no output, measured by os.wait4 in a small launcher process
    (LAUNCHER; POSIX only): wall seconds from fork to exit, CPU and peak RSS of the command."""
    with tempfile.TemporaryDirectory(prefix="cors-probe-measure-") as temp:
        report = Path(temp) / "sample"
        launcher = subprocess.Popen(
            [sys.executable, "-S", "-c", LAUNCHER, str(report), *command],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            env=ENV,
            start_new_session=True,
        )
        try:
            launcher.wait()
        except BaseException:  # Ctrl-C or SIGTERM (stop_on_sigterm): leave no measured child behind
            os.killpg(launcher.pid, signal.SIGKILL)
            launcher.wait()
            raise
        if launcher.returncode != 0 or not report.exists():
            raise SystemExit(f"the measuring launcher failed ({launcher.returncode}): {command}")
        wall, cpu, maxrss_kib, code = report.read_text().split()
    return Sample(float(wall), float(cpu), int(maxrss_kib) / 1024, int(code))


@dataclass(frozen=True)
class Settings:
    checks: int = 2000
    jobs: int = 16
    sweep: tuple[int, ...] = SWEEP
    runs: int = 3
    memory_checks: int = 20000
    """0: no memory measurement."""


def load_average() -> tuple[float, float, float]:
    """os.getloadavg(), or zeros where the platform has none."""
    try:
        return os.getloadavg()
    except OSError:
        return (0.0, 0.0, 0.0)


def event_loop() -> str:
    """Which event loop an asyncio program in the benchmark venv gets: uvloop when it imports."""
    found = subprocess.run([str(PYTHON), "-c", "import uvloop"], capture_output=True, check=False)
    return "uvloop" if found.returncode == 0 else "asyncio"


def passed_all(report: Path, checks: int) -> None:
    """SystemExit unless the JSON report says that all `checks` checks passed (else the figures
    would measure failures, not checks)."""
    tally = json.loads(report.read_text())["summary"]
    if tally["total"] != checks or tally["passed"] != checks:
        raise SystemExit(f"{report.name}: {tally}, expected {checks} passed checks")


def run_once(name: str, command: Sequence[str]) -> Sample:
    sample = measured(command)
    if sample.code != 0:
        raise SystemExit(f"{name} exited {sample.code}: {' '.join(command)}")
    return sample


def interleaved(commands: dict[str, list[str]], runs: int) -> dict[str, list[Sample]]:
    """`runs` rounds; each runs every command once, the order rotated by one per round."""
    names = list(commands)
    samples: dict[str, list[Sample]] = {name: [] for name in names}
    for round_number in range(runs):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(run_once(name, commands[name]))
    return samples


def figures(samples: Sequence[Sample], checks: int) -> dict[str, float]:
    """Medians of a command's samples, per second and per check."""
    wall, cpu = median(s.wall for s in samples), median(s.cpu for s in samples)
    return {
        "seconds": wall,
        "cpu_seconds": cpu,
        "checks_per_second": checks / wall,
        "cpu_ms_per_check": 1000 * cpu / checks,
        "peak_mib": median(s.rss_mib for s in samples),
        "runs": len(samples),
    }


def marginal_cpu_ms(processes: dict[str, dict[str, float]], settings: Settings) -> float:
    """CPU milliseconds per check beyond the fixed cost of a run (start-up, policy, report): the
    CPU seconds of CHECKS checks less those of one check, over CHECKS - 1 (information: the
    target is judged on the whole process, start-up included)."""
    many = processes[f"cors-probe run --jobs {settings.jobs}"]["cpu_seconds"]
    single = processes[ONE_CHECK]["cpu_seconds"]
    return 1000 * (many - single) / max(1, settings.checks - 1)


def judge(result: dict[str, Any], settings: Settings) -> list[Target]:
    """The batch targets from measured figures (the shape `bench` returns under "processes",
    "sweep" and "memory"); pure, so that tests give it figures."""
    processes = result["processes"]
    ours = processes[f"cors-probe run --jobs {settings.jobs}"]
    targets = []
    for floor, limit in (("raw aiohttp loop", AIOHTTP_FLOOR), ("raw httpx loop", HTTPX_MULTIPLE)):
        base = processes[floor]
        cpu = rate_ratio(ours["cpu_seconds"], base["cpu_seconds"])
        cpu_verdict = "PASS" if cpu >= limit else "FAIL"
        targets.append(
            Target(
                f"run throughput / {floor} (wall)",
                rate_ratio(ours["seconds"], base["seconds"]),
                limit,
                at_most=False,
                note=f"CPU ratio {cpu:.2f} ({cpu_verdict})",
            )
        )
    targets.append(
        Target(
            "run CPU ms per check",
            ours["cpu_ms_per_check"],
            CPU_MS_PER_CHECK,
            at_most=True,
            note=f"{result['marginal_cpu_ms_per_check']:.2f} beyond a 1-check run's",
        )
    )
    rates = [step["checks_per_second"] for step in result["sweep"]]
    if len(rates) > 1:
        steps = step_ratios(rates)
        jobs = "/".join(str(step["jobs"]) for step in result["sweep"])
        targets.append(
            Target(
                f"--jobs {jobs}: worst step / previous",
                min(steps),
                NOISE,
                at_most=False,
                note="steps " + " ".join(f"{s:.2f}" for s in steps),
            )
        )
    memory = result.get("memory")
    if memory:
        targets.append(
            Target(
                f"peak RSS, {memory['checks']} / {settings.checks} checks",
                memory["growth"],
                MEMORY_GROWTH,
                at_most=True,
            )
        )
    return targets


def bench(settings: Settings) -> tuple[dict[str, Any], list[Target]]:
    """Measure and print every batch figure; (the figures for --json, the judged targets).
    Needs the benchmark venv (ensure_venv). SystemExit when a measured process fails."""
    cli, py = str(BIN / "cors-probe"), str(PYTHON)
    load_start = load_average()
    loop = event_loop()
    jobs_list = sorted({*settings.sweep, settings.jobs})
    with tempfile.TemporaryDirectory() as temp, api_server() as (base, server_name):
        folder = Path(temp)

        def run_command(policy: Path, jobs: int, report: Path) -> list[str]:
            return [cli, "run", str(policy), "--jobs", str(jobs), "--format", "json",
                    "--output", str(report)]  # fmt: skip

        def raw(script: str) -> list[str]:
            return [py, str(HERE / script), base, str(settings.checks), str(settings.jobs)]

        policy = write_policy(folder, base, settings.checks)
        reports = {jobs: folder / f"report-{jobs}.json" for jobs in jobs_list}
        commands = {
            f"cors-probe run --jobs {jobs}": run_command(policy, jobs, reports[jobs])
            for jobs in jobs_list
        }
        commands["raw aiohttp loop"] = raw("raw_aiohttp_loop.py")
        commands["raw httpx loop"] = raw("raw_httpx_loop.py")
        one = write_policy(folder, base, 1)
        commands[ONE_CHECK] = run_command(one, settings.jobs, folder / "report-one.json")
        headline = f"cors-probe run --jobs {settings.jobs}"
        # Warm the caches up (the venv's files, nginx): the httpx loop, the slowest, is left out:
        # it imports nothing the other two have not, and a warm-up run costs half a minute.
        for name in (headline, "raw aiohttp loop"):
            run_once(name, commands[name])
        samples = interleaved(commands, settings.runs)
        for report in reports.values():
            passed_all(report, settings.checks)
        memory_sample = None
        if settings.memory_checks:
            big = write_policy(folder, base, settings.memory_checks)
            report = folder / "report-memory.json"
            memory_sample = run_once("memory", run_command(big, settings.jobs, report))
            passed_all(report, settings.memory_checks)
    load_end = load_average()

    processes = {
        name: figures(samples[name], 1 if name == ONE_CHECK else settings.checks)
        for name in commands
    }
    result: dict[str, Any] = {
        "checks": settings.checks,
        "jobs": settings.jobs,
        "runs": settings.runs,
        "server": server_name,
        "event_loop": loop,
        "load_average": {"start": load_start, "end": load_end},
        "processes": processes,
        "sweep": [
            {"jobs": jobs, **processes[f"cors-probe run --jobs {jobs}"]}
            for jobs in sorted(set(settings.sweep))
        ],
        "memory": None,
        "marginal_cpu_ms_per_check": marginal_cpu_ms(processes, settings),
    }
    if memory_sample is not None:
        small = processes[headline]["peak_mib"]
        result["memory"] = {
            "checks": settings.memory_checks,
            "peak_mib": memory_sample.rss_mib,
            "seconds": memory_sample.wall,
            "baseline_peak_mib": small,
            "growth": memory_sample.rss_mib / small,
        }
    targets = judge(result, settings)
    result["targets"] = [t.as_json() for t in targets]
    show(result, targets)
    return result, targets


def show(result: dict[str, Any], targets: Sequence[Target]) -> None:
    load = result["load_average"]
    print(
        f"\ncors-probe run, {result['checks']} checks ({2 * result['checks']} requests) against "
        f"{result['server']}; asyncio programs run on {result['event_loop']}; medians of "
        f"{result['runs']} interleaved runs; load average "
        f"{' '.join(f'{x:.2f}' for x in load['start'])} at start, "
        f"{' '.join(f'{x:.2f}' for x in load['end'])} at end\n"
    )
    header = (
        f"{'measured':<40} {'s':>7} {'checks/s':>9} {'CPU s':>7} {'CPU ms/check':>13} {'MiB':>6}"
    )
    print(header)
    print("-" * len(header))
    memory = result["memory"]
    for name, f in result["processes"].items():
        print(
            f"{name:<40} {f['seconds']:>7.2f} {f['checks_per_second']:>9.0f} "
            f"{f['cpu_seconds']:>7.2f} {f['cpu_ms_per_check']:>13.2f} {f['peak_mib']:>6.1f}"
        )
    if memory:
        label = f"cors-probe run --jobs {result['jobs']}, {memory['checks']} checks"
        print(f"{label:<40} {memory['seconds']:>7.2f} {'':>9} {'':>7} {'':>13} "
              f"{memory['peak_mib']:>6.1f}")  # fmt: skip
    print(f"\n{'target':<52} {'value':>7}  {'limit':<8} verdict")
    for target in targets:
        print(target.line())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="cors-probe run: throughput, CPU and memory")
    parser.add_argument("--checks", type=int, default=2000, help="checks per run (default 2000)")
    parser.add_argument("--jobs", type=int, default=16, help="--jobs of the compared run")
    parser.add_argument(
        "--sweep", default=",".join(map(str, SWEEP)), help="--jobs values (default 1,4,16,64)"
    )
    parser.add_argument("--runs", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument(
        "--memory-checks",
        type=int,
        help="checks of the memory run (default 10 x --checks; 0: none)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    settings = parse_settings(parser, args)
    stop_on_sigterm()
    ensure_venv()
    result, targets = bench(settings)
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\n{summary(targets)}.")
    return 0


def parse_settings(parser: argparse.ArgumentParser, args: argparse.Namespace) -> Settings:
    """Settings from the parsed options; parser.error (exit 2) on a bad value."""
    try:
        sweep = tuple(int(part) for part in args.sweep.split(","))
    except ValueError:
        parser.error(f"--sweep must be integers separated by commas, not {args.sweep!r}")
    if args.checks < 1 or args.jobs < 1 or args.runs < 1 or min(sweep) < 1:
        parser.error("--checks, --jobs, --runs and --sweep must be at least 1")
    memory = 10 * args.checks if args.memory_checks is None else args.memory_checks
    return Settings(args.checks, args.jobs, sweep, args.runs, max(0, memory))


if __name__ == "__main__":
    sys.exit(main())
