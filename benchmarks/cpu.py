"""CPU per check of `cors-probe run`'s own work, without the network: the CORS engine and the JSON.

    python benchmarks/cpu.py [--checks 2000] [--secret] [--profile] [--top 30]

Runs the checks of a policy file like `benchmarks/batch.py`'s (a preflighted PUT each, to a
different path) through `usecases.check.run` as `run` does (consent given, a deadline), against
a send that returns canned answers at once (a 204 preflight answer with Access-Control-Allow-*
and a 200), then makes each check's JSON entry (`render.json.entry`). Prints the CPU time per
check of each part (process time, median of three rounds); `--profile` prints cProfile's top
costs instead. `--secret`: the policy has a secret (an `${API_KEY}` header), so that every entry
is scrubbed of it. It informs, never fails; the network's share is batch.py's to measure.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.batch import write_policy
from cors_probe.inputs.policyfile import load_policy
from cors_probe.model import Headers, WireRequest, WireResponse
from cors_probe.policy.browsers import named
from cors_probe.render.json import entry
from cors_probe.usecases import check
from cors_probe.usecases.results import evaluate
from cors_probe.usecases.spec import PolicyFile

BASE = "http://127.0.0.1:8080"
PREFLIGHT = WireResponse(
    204,
    Headers.of(
        ("Server", "nginx/1.22.1"),
        ("Date", "Tue, 01 Dec 2026 00:00:00 GMT"),
        ("Connection", "keep-alive"),
        ("Access-Control-Allow-Origin", "http://localhost:3000"),
        ("Vary", "Origin"),
        ("Access-Control-Allow-Methods", "PUT"),
        ("Access-Control-Allow-Headers", "content-type"),
        ("Access-Control-Max-Age", "600"),
    ),
    reason="No Content",
    elapsed_ms=0.2,
    server_ip="127.0.0.1",
)
ACTUAL = WireResponse(
    200,
    Headers.of(
        ("Server", "nginx/1.22.1"),
        ("Date", "Tue, 01 Dec 2026 00:00:00 GMT"),
        ("Content-Type", "application/json"),
        ("Content-Length", "9"),
        ("Connection", "keep-alive"),
        ("Access-Control-Allow-Origin", "http://localhost:3000"),
        ("Vary", "Origin"),
    ),
    reason="OK",
    elapsed_ms=0.2,
    body_bytes=9,
    server_ip="127.0.0.1",
    body=b'{"id": 1}',
)


def send(request: WireRequest, timeout: float | None = None) -> WireResponse:
    return PREFLIGHT if request.method == "OPTIONS" else ACTUAL


def policy(checks: int) -> PolicyFile:
    """batch.py's policy of `checks` preflighted PUTs, loaded."""
    with tempfile.TemporaryDirectory() as folder:
        return load_policy(str(write_policy(Path(folder), BASE, checks)))


def with_secret(loaded: PolicyFile) -> PolicyFile:
    """`loaded` as if its checks sent `X-Api-Key: ${API_KEY}`: every entry is scrubbed of it."""
    return replace(loaded, secrets=frozenset({"k3y-f0r-the-items-api"}))


def one_round(loaded: PolicyFile) -> tuple[float, float]:
    """(CPU seconds in the engine, CPU seconds in the JSON) for every check of `loaded`."""
    engine = json_cpu = 0.0
    for spec in loaded.checks:
        started = time.process_time()
        report = check.run(
            spec.shape,
            send,
            browsers=(named(spec.browser),),
            consent=lambda _: True,
            deadline=30.0,
        )
        result = evaluate(spec, report)
        middle = time.process_time()
        entry(loaded.path, result, report, secrets=loaded.secrets)
        json_cpu += time.process_time() - middle
        engine += middle - started
    return engine, json_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=2000)
    parser.add_argument("--secret", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    loaded = with_secret(policy(args.checks)) if args.secret else policy(args.checks)
    one_round(policy(50))  # warm: imports, first-call caches of the Python runtime
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(one_round, loaded)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)
        return
    rounds = [one_round(loaded) for _ in range(3)]
    per = 1000 / args.checks
    engine = statistics.median(r[0] for r in rounds) * per
    json_cpu = statistics.median(r[1] for r in rounds) * per
    print(f"checks: {args.checks}, CPU per check (median of 3 rounds)")
    print(f"  engine (check.run + evaluate): {engine:.3f} ms")
    print(f"  JSON entry:                    {json_cpu:.3f} ms")
    print(f"  together:                      {engine + json_cpu:.3f} ms")


if __name__ == "__main__":
    main()
