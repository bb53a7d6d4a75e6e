"""`usecases.run.run` with a fake transport: consent is settled and the clients are built before
anything is sent, so `--rate` paces every request from the first."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import replace

import pytest

from cors_probe.errors import UsageError
from cors_probe.model import WireRequest, WireResponse
from cors_probe.usecases.results import Status
from cors_probe.usecases.run import run
from cors_probe.usecases.simulate import answerer
from cors_probe.usecases.spec import CheckSpec, PolicyFile
from tests.subjects import GOOD, shape


class FakeTransport:
    """Answers every request with GOOD's answers; records the order of open() and send()."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.opened: list[str] = []
        self.lock = threading.Lock()
        self.answer = answerer(GOOD)

    def open(self, urls: Iterable[str]) -> None:
        self.opened = list(urls)
        with self.lock:
            self.calls.append("open")

    def send(self, request: WireRequest, timeout: float | None = None) -> WireResponse:
        with self.lock:
            self.calls.append(f"send {request.method} {request.url}")
        return self.answer(request)


def policy(*specs: CheckSpec) -> PolicyFile:
    return PolicyFile("cors-probe.toml", specs)


GETS = policy(
    CheckSpec("a", 3, shape("/a"), "app", "allowed"),
    CheckSpec("b", 9, shape("/b"), "app", "allowed"),
)


def test_the_transport_is_opened_for_every_url_before_the_first_send() -> None:
    transport = FakeTransport()
    result = run(GETS, transport, jobs=2)
    assert transport.calls[0] == "open"
    assert transport.calls.count("open") == 1
    assert len(transport.calls) == 3  # open, then one GET per check
    assert transport.opened == ["https://api.example/a", "https://api.example/b"]
    assert [r.status for r in result.results] == [Status.PASSED, Status.PASSED]


PUT = CheckSpec("update", 12, shape("/a", "PUT"), "app", "allowed")


def test_a_side_effecting_check_without_consent_is_refused_before_anything_is_sent() -> None:
    transport = FakeTransport()
    message = (
        "cors-probe.toml:12: check 'update' sends PUT https://api.example/a, which may change "
        "data on the server: add allow_side_effects = true to it, or run with --yes; nothing "
        "was sent"
    )
    with pytest.raises(UsageError) as raised:
        run(policy(GETS.checks[0], PUT), transport)
    assert str(raised.value) == message
    assert transport.calls == []


@pytest.mark.parametrize(
    ("spec", "yes"),
    [(PUT, True), (replace(PUT, allow_side_effects=True), False)],
    ids=["--yes", "allow_side_effects"],
)
def test_consent_in_the_file_or_yes_lets_the_check_run(spec: CheckSpec, yes: bool) -> None:
    transport = FakeTransport()
    result = run(policy(spec), transport, yes=yes)
    assert transport.calls[0] == "open"
    assert [c.split()[1] for c in transport.calls[1:]] == ["OPTIONS", "PUT"]
    assert [r.status for r in result.results] == [Status.PASSED]
