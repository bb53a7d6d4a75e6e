"""Subjects of `render.write` built in process from stated answers: no network, no clock.

Reports come from `usecases.simulate.simulate`, whose answers take no time, so every duration is
0; a tour and a run are built from the same answers. Shared by tests/render and tests/usecases.
"""

from __future__ import annotations

from dataclasses import dataclass

from cors_probe import __version__
from cors_probe.errors import ProbeError
from cors_probe.inputs.request import RequestOptions, build
from cors_probe.model import FailureKind, Headers, Report, RequestShape, WireRequest, WireResponse
from cors_probe.usecases import check
from cors_probe.usecases.demo import Tour, tour
from cors_probe.usecases.results import Run, evaluate
from cors_probe.usecases.simulate import Answer, Answers, answerer, simulate
from cors_probe.usecases.spec import CheckSpec, PolicyFile

PAGE = "https://app.example"
API = "https://api.example"
SECRET = "s3cr3t-t0ken-f0r-the-api"
"""A bearer token: must never appear in an output unless secrets are shown."""

ACAO = ("Access-Control-Allow-Origin", PAGE)
VARY = ("Vary", "Origin")
GOOD = Answers(
    Answer(
        204,
        Headers.of(
            ACAO,
            ("Access-Control-Allow-Methods", "PUT"),
            ("Access-Control-Allow-Headers", "content-type, authorization"),
            ("Access-Control-Max-Age", "7200"),
            VARY,
        ),
    ),
    Answer(200, Headers.of(ACAO, VARY)),
)
NO_CORS = Answers(Answer(204, Headers()), Answer(200, Headers()))


def shape(path: str, method: str = "GET", *headers: str, data: str | None = None) -> RequestShape:
    return build(RequestOptions(API + path, PAGE, method, headers, data=data))


def allowed() -> Report:
    """A simple GET the server allows."""
    return simulate(shape("/items"), GOOD)


def blocked_at_preflight() -> Report:
    """A PUT with JSON whose preflight has no Access-Control-Allow-Origin."""
    put = shape("/items/1", "PUT", "Content-Type: application/json", data="{}")
    return simulate(put, NO_CORS)


def with_secret() -> Report:
    """An allowed GET carrying `Authorization: Bearer SECRET`."""
    return simulate(shape("/me", "GET", f"Authorization: Bearer {SECRET}"), GOOD)


REPORTS = {
    "allowed": allowed,
    "blocked-at-preflight": blocked_at_preflight,
    "secret-header": with_secret,
}


def _unreachable(request: WireRequest) -> WireResponse:
    raise ProbeError(FailureKind.REFUSED, "connection refused")


def a_tour() -> Tour:
    """Three stops: one allowed, one blocked, one unreachable."""
    by_path = {"/good": answerer(GOOD), "/no-cors": answerer(NO_CORS)}

    def send(request: WireRequest) -> WireResponse:
        path = request.url.removeprefix(API)
        return by_path.get(path, _unreachable)(request)

    stops = [
        ("/good", "PUT json", shape("/good", "PUT", "Content-Type: application/json", data="{}")),
        ("/no-cors", "GET", shape("/no-cors")),
        ("/down", "GET", shape("/down")),
    ]
    return tour(PAGE, stops, send)


def a_run() -> Run:
    """A policy file's run: one passed, one failed (blocked where allowed was expected), one
    unreachable, with the secret among the policy's secrets."""
    specs_and_reports = [
        (CheckSpec("items", 5, shape("/items"), "app", "allowed"), allowed()),
        (CheckSpec("update", 11, blocked_at_preflight().shape, "app", "allowed"), None),
        (CheckSpec("health", 17, shape("/health"), "app", "allowed"), None),
    ]
    results = []
    for spec, report in specs_and_reports:
        if report is None:
            send = answerer(NO_CORS) if spec.name == "update" else _unreachable
            report = check.run(spec.shape, send, consent=lambda _: True)
        results.append(evaluate(spec, report))
    policy = PolicyFile(
        "cors-probe.toml", tuple(s for s, _ in specs_and_reports), frozenset({SECRET})
    )
    return Run(policy, results, started="2026-01-01T00:00:00Z", seconds=0.0)


@dataclass(frozen=True)
class Named:
    name: str
    subject: Report | Tour | Run


def every_subject() -> list[Named]:
    return [Named("report", blocked_at_preflight()), Named("tour", a_tour()), Named("run", a_run())]


def deterministic(text: str) -> str:
    """An output with the version blanked and trailing blanks dropped (rich pads table cells)."""
    text = text.replace(__version__, "<version>")
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"
