"""The benchmark scripts' helpers work (not timed: speed goals live in benchmarks/, never here).

The policy writer writes a policy that cors-probe loads, the target evaluator judges given figures
correctly, and the raw loops send the requests `cors-probe run` sends and exit 0 (or not, when a
status is wrong) against a scripted loopback server. No nginx needed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks.batch import Settings, judge, marginal_cpu_ms, measured, write_policy
from benchmarks.targets import NOISE, Target, rate_ratio, step_ratios, summary
from cors_probe.inputs.policyfile import load_policy
from tests.conftest import cli_command
from tests.servers import Received, Reply, ScriptedServer

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
ORIGIN = "http://localhost:3000"
ALLOW = (
    ("Access-Control-Allow-Origin", ORIGIN),
    ("Access-Control-Allow-Methods", "PUT"),
    ("Access-Control-Allow-Headers", "content-type"),
    ("Vary", "Origin"),
)


@pytest.mark.parametrize("checks", [1, 5, 2000])
def test_the_policy_writer_writes_a_policy_of_n_put_checks(tmp_path: Path, checks: int) -> None:
    path = write_policy(tmp_path, "http://127.0.0.1:8080", checks)
    policy = load_policy(str(path), env={})
    assert len(policy.checks) == checks
    urls = [check.shape.url for check in policy.checks]
    assert urls == [f"http://127.0.0.1:8080/api/{i}" for i in range(checks)]
    assert {(c.shape.method, c.expect, c.allow_side_effects) for c in policy.checks} == {
        ("PUT", "allowed", True)
    }


@pytest.mark.parametrize(
    ("value", "limit", "at_most", "met"),
    [
        (1.2, 1.3, True, True),
        (1.3, 1.3, True, True),  # the limit itself passes
        (1.31, 1.3, True, False),
        (0.3, 0.3, False, True),
        (0.29, 0.3, False, False),
        (3.5, 3.0, False, True),
        (2.9, 3.0, False, False),
    ],
)
def test_a_target_is_met_on_the_right_side_of_its_limit(
    value: float, limit: float, at_most: bool, met: bool
) -> None:
    target = Target("t", value, limit, at_most)
    assert target.met is met
    assert target.verdict == ("PASS" if met else "FAIL")
    assert target.wanted == f"{'<=' if at_most else '>='} {limit:g}"


@pytest.mark.parametrize(
    ("rates", "steps", "holds"),
    [
        ([100.0, 400.0, 800.0, 800.0], [4.0, 2.0, 1.0], True),
        ([100.0, 200.0, 180.0, 190.0], [2.0, 0.9, 190 / 180], True),  # 0.9 is within noise
        ([100.0, 200.0, 170.0, 200.0], [2.0, 0.85, 200 / 170], False),
        ([500.0, 100.0], [0.2], False),
    ],
)
def test_throughput_holds_as_jobs_grow_when_no_step_falls_below_the_noise(
    rates: list[float], steps: list[float], holds: bool
) -> None:
    assert step_ratios(rates) == pytest.approx(steps)
    assert (min(step_ratios(rates)) >= NOISE) is holds


def _figures(run_s: float, run_cpu: float, aio_s: float, httpx_s: float) -> dict[str, Any]:
    def process(seconds: float, cpu: float) -> dict[str, float]:
        return {
            "seconds": seconds,
            "cpu_seconds": cpu,
            "checks_per_second": 2000 / seconds,
            "cpu_ms_per_check": 1000 * cpu / 2000,
        }

    sweep = [{"jobs": jobs, **process(seconds, run_cpu)} for jobs, seconds in
             ((1, 8.0), (4, 4.0), (16, run_s), (64, run_s * 1.05))]  # fmt: skip
    return {
        "processes": {
            "cors-probe run --jobs 16": process(run_s, run_cpu),
            "raw aiohttp loop": process(aio_s, aio_s * 0.9),
            "raw httpx loop": process(httpx_s, httpx_s * 0.9),
            "cors-probe run, 1 check": process(0.9, 0.5),
        },
        "sweep": sweep,
        "memory": {"checks": 20000, "growth": 1.2},
        "marginal_cpu_ms_per_check": 1000 * (run_cpu - 0.5) / 1999,
    }


@pytest.mark.parametrize(
    ("figures", "verdicts"),
    [
        # 2.5 s vs 1 s for aiohttp: 0.4 x; vs 10 s for httpx: 4 x; 2.4 CPU s / 2000 = 1.2 ms
        (_figures(2.5, 2.4, 1.0, 10.0), ["PASS", "PASS", "PASS", "PASS", "PASS"]),
        # 4 s: 0.25 x the aiohttp loop, 2.5 x the httpx loop; 3.2 CPU s: 1.6 ms per check
        (_figures(4.0, 3.2, 1.0, 10.0), ["FAIL", "FAIL", "FAIL", "PASS", "PASS"]),
    ],
)
def test_the_batch_targets_are_judged_from_the_figures(
    figures: dict[str, Any], verdicts: list[str]
) -> None:
    targets = judge(figures, Settings())
    assert [t.verdict for t in targets] == verdicts
    assert summary(targets) == f"{verdicts.count('PASS')} of 5 targets met"
    processes = figures["processes"]
    assert marginal_cpu_ms(processes, Settings()) == pytest.approx(
        1000 * (processes["cors-probe run --jobs 16"]["cpu_seconds"] - 0.5) / 1999
    )
    assert targets[0].value == rate_ratio(
        processes["cors-probe run --jobs 16"]["seconds"], processes["raw aiohttp loop"]["seconds"]
    )


def test_a_sweep_whose_throughput_falls_fails_and_says_which_step() -> None:
    figures = _figures(2.5, 2.4, 1.0, 10.0)
    figures["sweep"][3]["checks_per_second"] = figures["sweep"][2]["checks_per_second"] * 0.5
    sweep = next(t for t in judge(figures, Settings()) if t.name.startswith("--jobs"))
    assert sweep.name == "--jobs 1/4/16/64: worst step / previous"
    assert sweep.verdict == "FAIL"
    assert sweep.value == pytest.approx(0.5)
    assert sweep.note.endswith("0.50")


def _serve(server: ScriptedServer, status: int = 200) -> None:
    server.route("/api/*", options=Reply(204, ALLOW), put=Reply(status, ALLOW[:1], b'{"id": 1}\n'))


def _loop(script: str, base: str, checks: int, jobs: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCHMARKS / script), base, str(checks), str(jobs)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def _wire(received: Received) -> tuple[str, list[tuple[str, str]], bytes]:
    """What a request carried, leaving out Host (its port differs) and the order of the headers
    (a client may put its own ones elsewhere)."""
    headers = sorted((n.lower(), v) for n, v in received.headers if n.lower() != "host")
    return received.method, headers, received.body


LOOPS = ["raw_aiohttp_loop.py", "raw_httpx_loop.py"]


@pytest.fixture(name="cors_probe_wire", scope="module")
def _cors_probe_wire(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What `cors-probe run` sends for the benchmark's check, by method (one run per module)."""
    with ScriptedServer().start() as server:
        _serve(server)
        policy = write_policy(tmp_path_factory.mktemp("wire"), server.base_url, 1)
        completed = subprocess.run(
            [*cli_command(), "run", str(policy), "--format", "json"],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=60,
            check=False,
        )
        assert completed.returncode == 0, completed.stderr
        return {r.method: _wire(r) for r in server.received}


@pytest.mark.parametrize("script", LOOPS)
def test_a_raw_loop_sends_what_cors_probe_run_sends_and_exits_0(
    server: ScriptedServer, cors_probe_wire: dict[str, Any], script: str
) -> None:
    """The floors are only floors if their requests are cors-probe's: if the wire differs,
    cors-probe changed what it sends, and benchmarks/wire.py must follow."""
    if script == "raw_aiohttp_loop.py":
        pytest.importorskip("aiohttp")
    _serve(server)
    completed = _loop(script, server.base_url, 5, 2)
    assert (completed.returncode, completed.stderr) == (0, "")
    assert sorted((r.method, r.path) for r in server.received) == sorted(
        (method, f"/api/{i}") for i in range(5) for method in ("OPTIONS", "PUT")
    )
    assert set(cors_probe_wire) == {"OPTIONS", "PUT"}
    assert all(_wire(r) == cors_probe_wire[r.method] for r in server.received)


@pytest.mark.parametrize("script", LOOPS)
def test_a_raw_loop_fails_when_a_status_is_not_the_expected_one(
    server: ScriptedServer, script: str
) -> None:
    if script == "raw_aiohttp_loop.py":
        pytest.importorskip("aiohttp")
    _serve(server, status=500)
    completed = _loop(script, server.base_url, 3, 2)
    assert completed.returncode == 1
    assert "unexpected 204 500" in completed.stderr


def test_a_measured_command_is_not_charged_the_benchmarks_own_memory() -> None:
    # Linux folds the address space a child had until exec (its parent's) into its ru_maxrss:
    # measured straight from a parent holding 300 MiB, `python -c pass` would "peak" above it
    held = bytearray(300 * 1024 * 1024)
    held[::4096] = b"x" * len(held[::4096])  # touch every page: resident, not just mapped
    sample = measured([sys.executable, "-c", "pass"])
    del held
    assert sample.code == 0
    assert 1 < sample.rss_mib < 100
    assert 0 < sample.cpu < sample.wall + 1


@pytest.mark.parametrize(("code", "expected"), [("pass", 0), ("raise SystemExit(3)", 3)])
def test_a_measured_command_reports_its_exit_code(code: str, expected: int) -> None:
    assert measured([sys.executable, "-c", code]).code == expected
