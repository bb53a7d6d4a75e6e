"""The stable JSON document. Standard library only; keys are fixed and documented in README.

`schema` is bumped when a key changes meaning or disappears; new keys may be added freely.
"""

from __future__ import annotations

import json
from typing import Any

from cors_probe import __version__
from cors_probe.explain.catalogue import explain
from cors_probe.explain.triggers import describe_trigger
from cors_probe.model import Exchange, ExchangeKind, Finding, Report
from cors_probe.render.mask import masked_finding, masked_pairs, masked_trigger

SCHEMA = "cors-probe/check/1"


def _exchange(exchange: Exchange, show_secrets: bool) -> dict[str, Any]:
    response = exchange.response
    sent = response.sent_headers if response is not None and response.sent_headers else None
    request_headers = sent if sent is not None else exchange.request.headers
    return {
        "kind": exchange.kind.value,
        "hop": exchange.hop,
        "sent": not exchange.withheld,
        "request": {
            "method": exchange.request.method,
            "url": exchange.request.url,
            "headers": masked_pairs(request_headers, show_secrets),
            "body_bytes": len(exchange.request.body) if exchange.request.body is not None else 0,
        },
        "response": None
        if response is None
        else {
            "status": response.status,
            "reason": response.reason,
            "http_version": response.http_version,
            "headers": masked_pairs(response.headers, show_secrets),
            "duration_ms": round(response.elapsed_ms, 3),
            "body_bytes": response.body_bytes,
            "body_truncated": response.body_truncated,
            "server_ip": response.server_ip,
        },
        "failure": None
        if exchange.failure is None
        else {
            "kind": exchange.failure.kind.value,
            "message": exchange.failure.message,
        },
    }


def finding_dict(finding: Finding) -> dict[str, Any]:
    words = explain(finding)
    return {
        "code": finding.code.value,
        "severity": finding.severity.value,
        "stage": finding.stage.value,
        "title": words.title,
        "message": words.message,
        "fix": words.fix,
        "url": finding.url,
        "status": finding.status,
        "header": finding.header,
        "value": finding.value,
        "detail": dict(finding.detail),
        "browser": {"chrome": words.chrome, "firefox": words.firefox, "safari": words.safari},
    }


def to_dict(report: Report, *, show_secrets: bool = False) -> dict[str, Any]:
    outcome, shape, plan = report.outcome, report.shape, report.plan
    exchanges = outcome.exchanges
    preflights = [e for e in exchanges if e.kind is ExchangeKind.PREFLIGHT]
    actuals = [e for e in exchanges if e.kind is ExchangeKind.ACTUAL]
    decisive = outcome.decisive
    return {
        "schema": SCHEMA,
        "tool": {"name": "cors-probe", "version": __version__},
        "simulated": report.simulated,
        "dry_run": report.dry_run,
        "verdict": outcome.verdict.value,
        "blocked_at": decisive.stage.value if decisive is not None else None,
        "decisive": decisive.code.value if decisive is not None else None,
        "request": {
            "url": shape.url,
            "origin": shape.origin.serialise(),
            "origin_given": shape.origin_given,
            "method": shape.method,
            "headers": masked_pairs(shape.headers, show_secrets),
            "credentials": "include" if shape.credentials else "same-origin",
            "body_bytes": len(shape.body) if shape.body is not None else None,
        },
        "preflight": {
            "required": plan.required,
            "triggers": [
                {
                    "reason": t.reason.value,
                    "name": t.name,
                    "value": t.value,
                    "message": describe_trigger(t),
                }
                for t in (masked_trigger(t, show_secrets) for t in plan.triggers)
            ],
            "request_method": plan.method,
            "request_headers": list(plan.unsafe_names),
            "sent": any(not e.withheld for e in preflights),
        },
        "actual": {
            "sent": any(not e.withheld for e in actuals),
            "redirects": max((e.hop for e in actuals), default=0),
            "status": outcome.final_status,
            "readable_headers": list(outcome.readable_headers),
        },
        "exchanges": [_exchange(e, show_secrets) for e in exchanges],
        "findings": [finding_dict(masked_finding(f, show_secrets)) for f in outcome.findings],
    }


def render(report: Report, *, show_secrets: bool = False) -> str:
    return json.dumps(to_dict(report, show_secrets=show_secrets), indent=2, ensure_ascii=False)
