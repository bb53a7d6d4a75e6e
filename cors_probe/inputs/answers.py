"""The server answers the user states for `simulate` (a TOML file and options) and for the lab's
simulator page (JSON): each becomes an `Answers` value; every mistake is a UsageError.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cors_probe.errors import UsageError
from cors_probe.inputs.request import parse_header, read_file
from cors_probe.model import Headers
from cors_probe.usecases.simulate import DEFAULT_ANSWERS, Answer, Answers


def _answer(table: Any, name: str, default: Answer, where: str) -> Answer:
    if table is None:
        return default
    if not isinstance(table, dict):
        raise UsageError(f"{where}: [{name}] must be a table")
    unknown = sorted(set(table) - {"status", "headers"})
    if unknown:
        raise UsageError(f"{where}: unknown key {name}.{unknown[0]} (expected status, headers)")
    status = table.get("status", default.status)
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise UsageError(f"{where}: {name}.status must be a number from 100 to 599")
    headers = table.get("headers", [])
    if not isinstance(headers, list) or not all(isinstance(h, str) for h in headers):
        raise UsageError(f"{where}: {name}.headers must be a list of 'Name: value' strings")
    return Answer(status, Headers(tuple(parse_header(h) for h in headers)))


def load_answers(path: str | None) -> Answers:
    """The server's answers from a TOML file: [preflight] and [response], status and headers."""
    import tomllib

    if path is None:
        return DEFAULT_ANSWERS
    raw = read_file(path, f"--answers {path!r}")
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML: not UTF-8 ({exc.reason})") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML: {exc}") from exc
    unknown = sorted(set(document) - {"preflight", "response"})
    if unknown:
        raise UsageError(f"{path}: unknown table [{unknown[0]}] (expected [preflight], [response])")
    return Answers(
        _answer(document.get("preflight"), "preflight", DEFAULT_ANSWERS.preflight, path),
        _answer(document.get("response"), "response", DEFAULT_ANSWERS.response, path),
    )


def extended(answer: Answer, status: int | None, headers: Sequence[str]) -> Answer:
    """`answer` with its status overridden (when given) and `Name: value` headers added."""
    added = tuple(parse_header(h) for h in headers)
    return Answer(status or answer.status, Headers(answer.headers.pairs + added))


def from_json(part: Any, default_status: int) -> Answer:
    """The lab page's answer, `{"status": 204, "headers": [[name, value], ...]}`."""
    if not isinstance(part, dict):
        raise UsageError("each answer must be an object with status and headers")
    status = part.get("status", default_status)
    if not isinstance(status, int):
        raise UsageError("status must be a number")
    pairs = [parse_header(f"{name}: {value}") for name, value in part.get("headers", [])]
    return Answer(status, Headers(tuple(pairs)))
