"""`cors-probe run`: a policy file of expected CORS behaviour, checked concurrently, CI-native."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import typer

from cors_probe.cli.debug import Debug
from cors_probe.cli.options import (
    Baseline,
    CaCert,
    Deadline,
    Http2,
    Insecure,
    Jobs,
    Output,
    OutputFormat,
    PolicyFileArgument,
    Proxy,
    Rate,
    ShowSecrets,
    UnreachableOption,
    YesToAll,
)
from cors_probe.render import Format
from cors_probe.usecases.spec import Unreachable

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from cors_probe.probe.client import ProbeOptions
    from cors_probe.render.destinations import Outputs
    from cors_probe.usecases.baseline import Prior
    from cors_probe.usecases.results import Run as RunResult
    from cors_probe.usecases.run import AsyncTransport
    from cors_probe.usecases.spec import PolicyFile


def run(
    policy_file: PolicyFileArgument = None,
    output_format: OutputFormat = Format.TEXT,
    output: Output = None,
    jobs: Jobs = 8,
    rate: Rate = 0.0,
    deadline: Deadline = None,
    yes: YesToAll = False,
    unreachable: UnreachableOption = Unreachable.ERROR,
    baseline: Baseline = None,
    insecure: Insecure = False,
    cacert: CaCert = None,
    proxy: Proxy = None,
    http2: Http2 = False,
    show_secrets: ShowSecrets = False,
    debug: Debug = False,
) -> None:
    """Check a policy file of expected CORS behaviour: concurrently, with CI-native reports."""
    del debug
    from cors_probe.probe.client import ProbeOptions
    from cors_probe.probe.loop import batch_gc, run_async
    from cors_probe.render.text_run import RunProgress
    from cors_probe.usecases import run as use_case

    policy, priors, outputs = _inputs(policy_file, baseline, output_format, output, show_secrets)
    options = ProbeOptions(verify=not insecure, cacert=cacert, http2=http2, proxy=proxy)
    with outputs:
        with RunProgress(len(policy.checks), policy.secrets) as progress, batch_gc():
            result = run_async(
                _checked(
                    replace(options, max_connections=jobs),
                    lambda prober: use_case.run(
                        policy,
                        prober,
                        deadline=deadline,
                        yes=yes,
                        jobs=jobs,
                        rate=rate,
                        unreachable=unreachable,
                        baseline=priors,
                        progress=progress,
                        on_report=outputs.keep if outputs.wants_reports else None,
                    ),
                )
            )
        outputs.write(result)
    raise typer.Exit(int(result.exit_code()))


async def _checked(
    options: ProbeOptions, checks: Callable[[AsyncTransport], Awaitable[RunResult]]
) -> RunResult:
    """`checks` (the run) on the running event loop, over one AsyncProber created there; Ctrl-C
    (the run cancelled) or a failure aborts every request in flight at once, then it closes."""
    from cors_probe.probe.aclient import AsyncProber

    async with AsyncProber(options) as prober:
        try:
            return await checks(prober)
        except BaseException:
            prober.abort()
            raise


def _inputs(
    policy_file: str | None,
    baseline: str | None,
    output_format: Format,
    output: list[str] | None,
    show_secrets: bool,
) -> tuple[PolicyFile, tuple[str, dict[str, Prior]] | None, Outputs]:
    """The policy, the baseline and the destinations, each validated before anything is sent."""
    from cors_probe.inputs.baseline import load_baseline
    from cors_probe.inputs.policyfile import load_policy
    from cors_probe.render import RenderOptions
    from cors_probe.render.destinations import Outputs, plan

    policy = load_policy(policy_file)
    priors = (baseline, load_baseline(baseline)) if baseline is not None else None
    outputs = Outputs(
        plan(output_format, output or [], keep=[policy.path]),
        RenderOptions(show_secrets),
        policy_path=policy.path,
        secrets=policy.secrets,
    )
    return policy, priors, outputs
