"""`cors-probe run` at scale: checks per second and peak memory, beside a raw httpx loop.

    python benchmarks/batch.py [--checks 2000] [--jobs 16] [--runs 3] [--json FILE]

A policy file of CHECKS checks (each a preflight + a PUT, so 2 x CHECKS requests) against a
local API in its own process (nginx when installed, else benchmarks/server.py), timed as whole
processes beside `raw_httpx_loop.py`, an httpx.AsyncClient loop sending the same requests with
the same concurrency. Memory: the peak RSS of a run of CHECKS checks against a run of CHECKS/10
(both write the JSON report, the largest output). Medians over interleaved runs; it informs,
never fails. Targets: throughput >= 0.8 x the raw loop; peak memory x10 checks < 1.5.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.run import BIN, ENV, HERE, PYTHON, ensure_venv, start_server, stop

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


def measured(command: Sequence[str]) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MiB, exit code) of one process."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, process.returncode


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="cors-probe run: throughput and memory")
    parser.add_argument("--checks", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    ensure_venv()
    cli, py = str(BIN / "cors-probe"), str(PYTHON)
    small = max(1, args.checks // 10)
    with tempfile.TemporaryDirectory() as temp, api_server() as (base, server_name):
        folder = Path(temp)
        big_policy, small_policy = (write_policy(folder, base, n) for n in (args.checks, small))
        report = str(folder / "report.json")

        def run_command(policy: Path) -> list[str]:
            return [cli, "run", str(policy), "--jobs", str(args.jobs), "--format", "json",
                    "--output", report]  # fmt: skip

        commands = {
            "cors-probe run": run_command(big_policy),
            "raw httpx loop": [
                py,
                str(HERE / "raw_httpx_loop.py"),
                base,
                str(args.checks),
                str(args.jobs),
            ],
            f"cors-probe run ({small})": run_command(small_policy),
        }
        for name, command in commands.items():  # warm up, and make sure everything passes
            _, _, code = measured(command)
            if code != 0:
                raise SystemExit(f"{name} exited {code}")
        checked = json.loads(Path(report).read_text())["summary"]
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        names = list(commands)
        for round_number in range(args.runs):
            shift = round_number % len(names)
            for name in names[shift:] + names[:shift]:
                wall, rss, _ = measured(commands[name])
                samples[name].append((wall, rss))

    def median(name: str, index: int) -> float:
        return statistics.median(s[index] for s in samples[name])

    ours, raw = median("cors-probe run", 0), median("raw httpx loop", 0)
    ours_rate, raw_rate = args.checks / ours, args.checks / raw
    throughput = ours_rate / raw_rate
    big_rss, small_rss = median("cors-probe run", 1), median(f"cors-probe run ({small})", 1)
    growth = big_rss / small_rss
    print(
        f"\ncors-probe run, {args.checks} checks ({2 * args.checks} requests), --jobs "
        f"{args.jobs}, against {server_name}; medians of {args.runs} interleaved runs "
        f"(last small run: {checked['passed']} of {checked['total']} passed)\n"
    )
    print(f"{'measured':<34} {'s':>7} {'checks/s':>9} {'peak MiB':>9}")
    print("-" * 62)
    for name, wall_s, rate, rss in (
        ("cors-probe run", ours, ours_rate, big_rss),
        ("raw httpx AsyncClient loop", raw, raw_rate, median("raw httpx loop", 1)),
        (
            f"cors-probe run, {small} checks",
            median(f"cors-probe run ({small})", 0),
            small / median(f"cors-probe run ({small})", 0),
            small_rss,
        ),
    ):
        print(f"{name:<34} {wall_s:>7.2f} {rate:>9.0f} {rss:>9.1f}")
    ok_speed, ok_memory = throughput >= 0.8, growth < 1.5
    print(
        f"\nthroughput: {throughput:.2f} x the raw loop (target >= 0.8: "
        f"{'PASS' if ok_speed else 'MISS'})\n"
        f"peak memory, {args.checks} vs {small} checks: {growth:.2f} x (target < 1.5: "
        f"{'PASS' if ok_memory else 'MISS'})"
    )
    if args.json is not None:
        args.json.write_text(
            json.dumps(
                {
                    "checks": args.checks,
                    "jobs": args.jobs,
                    "server": server_name,
                    "seconds": {"cors_probe": ours, "raw_httpx": raw},
                    "throughput_ratio": throughput,
                    "peak_mib": {"checks": big_rss, "tenth": small_rss},
                    "memory_growth": growth,
                },
                indent=2,
            )
            + "\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
