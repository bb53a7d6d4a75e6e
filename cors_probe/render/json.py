"""The stable JSON documents: a check's (cors-probe/check/1), the demo's (cors-probe/demo/1) and a
run's (cors-probe/run/1). Keys are fixed and documented in the README; a run's entries are encoded
by orjson where it is installed (`compact`), by the standard library otherwise.

`schema` is bumped when a key changes meaning or disappears; new keys may be added freely. A run's
document is also what `--baseline` reads back, so `checks[].id`, `got`, `status` and `findings`
are part of its schema. Each check's entry is made as the check finishes (`entry`), spooled, and
the document written around them (`write_run`), so a long run never holds every report at once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TextIO

from cors_probe import __version__
from cors_probe.explain.catalogue import detail_text, explain
from cors_probe.explain.console import console_lines
from cors_probe.explain.engines import contrast, split
from cors_probe.explain.triggers import describe_trigger
from cors_probe.model import (
    CacheProbe,
    Contrast,
    Exchange,
    ExchangeKind,
    Finding,
    HopPreflight,
    Report,
    Trigger,
)
from cors_probe.render.derived import derived_dict
from cors_probe.render.fixes import fixes_list
from cors_probe.render.gates import local_network_dict
from cors_probe.render.mask import masked_finding, masked_pairs, masked_trigger
from cors_probe.render.scrub import clean, in_json, secrets_of
from cors_probe.usecases.results import CheckResult, Run, Tally

if TYPE_CHECKING:
    from cors_probe.render import RenderOptions, Subject
    from cors_probe.usecases.demo import Tour

SCHEMA = "cors-probe/check/1"
DEMO_SCHEMA = "cors-probe/demo/1"
CHECKS = "\x00checks\x00"
UNESCAPED = re.compile(r"[\x7f-\x9f]")
"""What json.dumps leaves raw with ensure_ascii=False: DEL and the C1 controls (0x9b is a CSI to
some terminals). They only occur inside JSON strings, where `\\u00XX` means the same."""


def dumps(document: object) -> str:
    """A document, indented, UTF-8 as is, with no control character left raw (a server's header
    value with ESC or CSI cannot reach the terminal that reads `--format json`)."""
    text = json.dumps(document, indent=2, ensure_ascii=False)
    return UNESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)
"""The standard library's encoder for `compact`, made once (`json.dumps` with options makes one
per call); no circular-reference check (an entry is a tree `entry` builds: a seventh less CPU)."""


def _standard(document: object) -> str:
    return _COMPACT.encode(document)


def _encoder() -> Callable[[object], str]:
    """orjson's encoder where it imports (about a tenth of the standard library's C encoder's CPU
    for a check's entry, 9 against 80 microseconds), else the standard library's. Both write the
    same text for what `entry` builds (strings, whole numbers, booleans, null, lists and
    string-keyed objects; tests/render/test_json_encoders.py), but for floats' exponents
    (`1.5e-7` against `1.5e-07`), which read back to the same number. A document orjson refuses
    (a lone surrogate, which is not UTF-8) goes to the standard library's."""
    try:
        import orjson
    except ImportError:
        return _standard
    dumps = orjson.dumps
    option = orjson.OPT_NON_STR_KEYS

    def encode(document: object) -> str:
        try:
            return dumps(document, option=option).decode()
        except TypeError:  # orjson refuses what is not UTF-8 (a lone surrogate from argv)
            return _standard(document)

    return encode


_encode: Callable[[object], str] | None = None
"""`_encoder()`, chosen at the first entry (a single check never imports orjson)."""


def compact(document: object, secrets: frozenset[str] = frozenset()) -> str:
    """A document on one line (no indent, no space after `,` and `:`), UTF-8 as is and control
    characters escaped as `dumps` does: a run's entries (`_encoder`: orjson, or the standard
    library's C encoder; an indent would make `json.dumps` fall back to its pure-Python encoder).
    `secrets` are scrubbed from its string values (`clean`), when any may be there (`in_json`)."""
    global _encode
    if _encode is None:
        _encode = _encoder()
    text = _encode(document)
    if secrets and in_json(text, secrets):
        text = _encode(clean(document, secrets, controls=False))
    if text.isascii() and "\x7f" not in text:  # isascii is a flag, not a scan: no C1 control
        return text
    return UNESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


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
            "retried": response.retried,
            "assumed_headers": list(response.assumed),
        },
        "failure": None
        if exchange.failure is None
        else {
            "kind": exchange.failure.kind.value,
            "message": exchange.failure.message,
        },
    }


def _trigger_dict(trigger: Trigger) -> dict[str, Any]:
    return {
        "reason": trigger.reason.value,
        "name": trigger.name,
        "value": trigger.value,
        "message": describe_trigger(trigger),
    }


def _triggers(triggers: tuple[Trigger, ...], show_secrets: bool) -> list[dict[str, Any]]:
    """A plan's `triggers` entries, values masked unless `show_secrets`."""
    return [_trigger_dict(masked_trigger(t, show_secrets)) for t in triggers]


def _hop_dict(
    hop: HopPreflight,
    exchanges: tuple[Exchange, ...],
    show_secrets: bool,
    known: tuple[tuple[Trigger, ...], list[dict[str, Any]]] = ((), []),
) -> dict[str, Any]:
    """The preflight question at one URL (`preflights[]`): `cors` is Fetch's CORS flag there,
    `sent` whether a preflight to it went out. `known`: a plan's triggers and their entries
    already made (`to_dict`'s `preflight`), reused when the hop's plan has those very triggers."""
    triggers = hop.plan.triggers
    return {
        "hop": hop.hop,
        "url": hop.url,
        "cors": hop.cors,
        "required": hop.plan.required,
        "triggers": list(known[1]) if triggers is known[0] else _triggers(triggers, show_secrets),
        "request_headers": list(hop.plan.unsafe_names),
        "sent": any(
            e.kind is ExchangeKind.PREFLIGHT and e.hop == hop.hop and not e.withheld
            for e in exchanges
        ),
    }


def finding_dict(finding: Finding, told: frozenset[str] | None = None) -> dict[str, Any]:
    """A finding's entry; console lines only for the engines in `told` (all when None): those
    that reach this same finding (`Report.agreeing` and the report's own engine)."""
    words = explain(finding)
    lines = {
        k: v if told is None or k in told else () for k, v in console_lines(finding, words).items()
    }
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
        "detail": {key: detail_text(value) for key, value in finding.detail.items()},
        "header_fixes": [
            {
                "stage": fix.stage.value,
                "url": fix.url,
                "name": fix.name,
                "value": fix.value,
                "assume": fix.assumption(),
            }
            for fix in words.header_fixes
        ],
        "browser": {k: v[0] if v else None for k, v in lines.items()},
        "console": {k: list(v) for k, v in lines.items()},
    }


def to_dict(report: Report, *, show_secrets: bool = False) -> dict[str, Any]:
    outcome, shape, plan = report.outcome, report.shape, report.plan
    exchanges = outcome.exchanges
    preflights = [e for e in exchanges if e.kind is ExchangeKind.PREFLIGHT]
    actuals = [e for e in exchanges if e.kind is ExchangeKind.ACTUAL]
    decisive = outcome.decisive
    triggers = _triggers(plan.triggers, show_secrets)
    known = (plan.triggers, triggers)
    return {
        "schema": SCHEMA,
        "tool": {"name": "cors-probe", "version": __version__},
        "simulated": report.simulated,
        "captured": report.captured,
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
            "mode": shape.mode.value,
            "redirect": shape.redirect.value,
        },
        "derived": derived_dict(report.derived, show_secrets),
        "preflight": {
            "required": plan.required,
            "triggers": triggers,
            "request_method": plan.method,
            "request_headers": list(plan.unsafe_names),
            "sent": any(not e.withheld for e in preflights),
            "hop": next((h.hop for h in outcome.hops if h.plan.required), None),
        },
        "preflights": [_hop_dict(h, exchanges, show_secrets, known) for h in outcome.hops],
        "actual": {
            "sent": any(not e.withheld for e in actuals),
            "redirects": max((e.hop for e in actuals), default=0),
            "status": outcome.final_status,
            "readable_headers": list(outcome.readable_headers),
            "response_type": outcome.response_type.value if outcome.response_type else None,
        },
        "exchanges": [_exchange(e, show_secrets) for e in exchanges],
        "local_network": local_network_dict(report),
        "findings": [
            finding_dict(
                masked_finding(f, show_secrets), frozenset({report.browser, *report.agreeing})
            )
            for f in outcome.findings
        ],
        "browser": report.browser,
        "verdicts": {r.browser: r.outcome.verdict.value for r in report.engines},
        "browsers": {r.browser: _engine_dict(r, show_secrets=show_secrets) for r in report.others},
        "splits": [
            {"browsers": [report.browser, r.browser], "reason": reason}
            for r in report.others
            if (reason := split(report, r)) is not None
        ],
        "contrasts": [_contrast_dict(report, c) for c in report.contrasts],
        "cache": cache_dict(report.cache, show_secrets),
        **({"fixes": fixes_list(report)} if report.fix is not None else {}),
    }


ENGINE_KEYS = (
    "verdict",
    "blocked_at",
    "decisive",
    "preflight",
    "preflights",
    "actual",
    "exchanges",
    "findings",
    "local_network",
)
"""The keys of a check's document that differ from one engine to another (`browsers`)."""


def _engine_dict(report: Report, *, show_secrets: bool) -> dict[str, Any]:
    whole = to_dict(report, show_secrets=show_secrets)
    return {k: whole[k] for k in ENGINE_KEYS}


def _contrast_dict(report: Report, seen: Contrast) -> dict[str, Any]:
    unsent = seen.unsent
    return {
        "browser": seen.browser,
        "verdict": seen.verdict.value if seen.verdict is not None else None,
        "preflight_required": seen.plan.required,
        "decisive": seen.decisive.code.value if seen.decisive is not None else None,
        "unsent": None if unsent is None else {"method": unsent.method, "url": unsent.url},
        "message": contrast(report, seen),
    }


def cache_dict(cache: CacheProbe | None, show_secrets: bool) -> dict[str, Any] | None:
    """The cache section: cors-probe's own comparison requests (`exchanges`, each with its
    `label` and the `origin` sent), `findings`, `skipped` (why none was sent), `preflight_cache`
    (per engine: seconds, methods, headers) and `after_no_cors` (per engine whose HTTP cache a
    load without CORS poisons: the loads, and the verdict, decisive code and console lines of
    the fetch() that follows). None when no probe ran (dry run, --no-cache-probe)."""
    if cache is None:
        return None
    after: dict[str, Any] = {}
    for seen in cache.after_no_cors:
        decisive = seen.outcome.decisive
        lines = console_lines(decisive, explain(decisive)) if decisive is not None else {}
        after[seen.browser] = {
            "loads": list(seen.loads),
            "verdict": seen.outcome.verdict.value,
            "decisive": decisive.code.value if decisive is not None else None,
            "console": list(lines.get(seen.browser, ())),
        }
    return {
        "exchanges": [
            {"label": c.label, "origin": c.origin, **_exchange(c.exchange, show_secrets)}
            for c in cache.exchanges
        ],
        "findings": [finding_dict(masked_finding(f, show_secrets)) for f in cache.findings],
        "skipped": cache.skipped,
        "preflight_cache": {
            name: {"seconds": e.seconds, "methods": list(e.methods), "headers": list(e.headers)}
            for name, e in cache.preflight.items()
        },
        "after_no_cors": after,
    }


def render(report: Report, *, show_secrets: bool = False) -> str:
    """A check's document, indented, without the final newline."""
    return dumps(to_dict(report, show_secrets=show_secrets))


def tour_dict(tour: Tour, *, show_secrets: bool = False) -> dict[str, Any]:
    """The demo's document: the engines run (`browsers`, report keys), and each stop's endpoint,
    request shape and full check report, whose `verdicts`, `browsers` and `splits` give every
    engine's verdict, report and the rule that splits them."""
    checks = [
        {
            "endpoint": s.path,
            "shape": s.label,
            "report": to_dict(s.report, show_secrets=show_secrets),
        }
        for s in tour.stops
    ]
    engines = dict.fromkeys(e.browser for s in tour.stops for e in s.report.engines)
    return {"schema": DEMO_SCHEMA, "browsers": list(engines), "checks": checks}


def write(subject: Subject, out: TextIO, options: RenderOptions) -> None:
    """The writer of `Format.JSON` (see cors_probe.render)."""
    if isinstance(subject, Run):
        write_run(subject, options.entries, out, show_secrets=options.show_secrets)
    elif isinstance(subject, Report):
        out.write(render(subject, show_secrets=options.show_secrets) + "\n")
    else:  # a Tour: usecases.demo is not imported by a check
        document = tour_dict(subject, show_secrets=options.show_secrets)
        out.write(dumps(document) + "\n")


def entry(
    path: str,
    result: CheckResult,
    report: Report,
    *,
    secrets: frozenset[str],
    show_secrets: bool = False,
) -> str:
    """One check as a JSON object on one line (`compact`), secrets scrubbed from its string
    values: an entry of a run's `checks`, one per line (`write_run`)."""
    spec = result.spec
    document = {
        "id": spec.ident,
        "name": spec.name,
        "file": path,
        "line": spec.line,
        "origin_name": spec.origin_name,
        "origin": spec.shape.origin.serialise(),
        "method": spec.shape.method,
        "url": spec.shape.url,
        "credentials": spec.shape.credentials,
        "browser": spec.browser,
        "expect": spec.expect,
        "forbid": list(spec.forbid),
        "require": list(spec.require),
        "got": result.got,
        "status": result.status.value,
        "problems": list(result.problems),
        "decisive": result.decisive.code.value if result.decisive is not None else None,
        "findings": list(result.codes),
        "report": to_dict(report, show_secrets=show_secrets),
    }
    if show_secrets:
        return compact(document)
    asked = secrets_of(spec.shape)  # the report's shape is most often the check's own
    told = asked if report.shape is spec.shape else secrets_of(report.shape)
    return compact(document, secrets | asked | told)


def _head(run: Run) -> dict[str, Any]:
    from cors_probe.usecases.baseline import RUN_SCHEMA

    tally = Tally.of(run.results)
    document: dict[str, Any] = {
        "schema": RUN_SCHEMA,
        "tool": {"name": "cors-probe", "version": __version__},
        "policy": run.policy.path,
        "started": run.started,
        "seconds": round(run.seconds, 3),
        "summary": {
            "total": tally.total,
            "passed": tally.passed,
            "failed": tally.failed,
            "unreachable": tally.unreachable,
            "skipped": tally.skipped,
            "known_failures": len(run.known),
        },
        "checks": CHECKS,
        "baseline": None,
    }
    if run.baseline is not None:
        document["baseline"] = {
            "file": run.baseline,
            "known_failures": sorted(run.known),
            "changes": [
                {
                    "id": c.check,
                    "kind": c.kind.value,
                    "detail": c.detail,
                    "regression": c.regression,
                }
                for c in run.changes
            ],
        }
    return document


def write_run(run: Run, entries: Iterable[str], out: TextIO, *, show_secrets: bool = False) -> None:
    """The document, indented, with `entries` (each check's `entry`, in file order, secrets
    already scrubbed) as `checks`, one check per line; `run` comes cleaned by `render.writer`."""
    del show_secrets  # the run is scrubbed by value before it gets here, the entries as spooled
    head = dumps(_head(run))
    before, after = head.split(json.dumps(CHECKS))
    out.write(before + "[")
    for number, text in enumerate(entries):
        out.write(("," if number else "") + "\n    " + text)
    out.write("\n  ]" + after + "\n")
