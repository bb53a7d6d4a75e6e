"""The options commands share, as `Annotated` types, and the prompt for consent.

Only typer and the light enums are imported here: `--help` and TAB completion need nothing else.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from cors_probe.errors import UsageError
from cors_probe.model import AddressSpace, LocalNetworkPermission, RedirectMode, RequestMode
from cors_probe.render import Format
from cors_probe.usecases.spec import Unreachable

if TYPE_CHECKING:
    from cors_probe.inputs.request import RequestOptions
    from cors_probe.model import Derivation

COMMON_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def _complete_method(incomplete: str) -> list[str]:
    return [m for m in COMMON_METHODS if m.lower().startswith(incomplete.lower())]


def _existing_cacert(path: str | None) -> str | None:
    """The path of a readable PEM bundle of CA certificates, checked now rather than at the first
    https:// request (the probe loads it lazily)."""
    if path is None:
        return None
    if not os.path.isfile(path):
        what = "is a directory; give a PEM file" if os.path.isdir(path) else "no such file"
        raise UsageError(f"--cacert {path!r}: {what}")
    import ssl

    try:
        ssl.create_default_context(cafile=path)
    except (ssl.SSLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", None) or getattr(error, "strerror", None) or error
        raise UsageError(
            f"--cacert {path!r}: not a PEM bundle of CA certificates ({reason})"
        ) from None
    return path


def _bounded_timeout(value: float) -> float:
    from cors_probe.inputs.request import check_timeout

    return check_timeout(value, minimum=0.1, what="--timeout")


def _proxy(url: str | None) -> str | None:
    from cors_probe.inputs.request import check_proxy

    return None if url is None else check_proxy(url)


def one_origin(values: list[str] | None) -> str | None:
    """The one --origin given; a second one is refused, not silently preferred."""
    if values and len(values) > 1:
        raise UsageError("give --origin once: a request has one page origin")
    return values[0] if values else None


def ask(question: str) -> bool:
    """A yes/no question on the terminal (stderr); only `y` or `yes` is a yes."""
    sys.stderr.write(f"{question} [y/N] ")
    sys.stderr.flush()
    return sys.stdin.readline().strip().lower() in ("y", "yes")


def on_terminal() -> bool:
    """Whether a person can answer a question: stdin and stderr are both a terminal."""
    return sys.stdin.isatty() and sys.stderr.isatty()


URL = Annotated[str, typer.Argument(metavar="URL", help="The URL the page's script fetches.")]
OptionalURL = Annotated[
    str | None,
    typer.Argument(
        metavar="[URL]",
        help="The URL the page's script fetches (optional with --from-curl/--from-fetch, "
        "where it replaces the captured one).",
        show_default=False,
    ),
]
FromCurl = Annotated[
    str | None,
    typer.Option(
        "--from-curl",
        metavar="TEXT",
        help="Check the request of a DevTools 'Copy as cURL' (bash or cmd) or 'Copy as "
        "PowerShell' text; - reads standard input, @FILE a file. The page's origin, method, "
        "credentials and the script's headers are derived; any flag given replaces what was "
        "derived (-H replaces the derived header of its name, or adds one).",
    ),
]
FromFetch = Annotated[
    str | None,
    typer.Option(
        "--from-fetch",
        metavar="TEXT",
        help="Check the request of a DevTools 'Copy as fetch' or 'Copy as Node.js fetch' text; "
        "- reads standard input, @FILE a file. Derived and overridden as --from-curl.",
    ),
]
PageOrigin = Annotated[
    list[str] | None,
    typer.Option(
        "--origin",
        "-o",
        metavar="ORIGIN",
        help="The page's origin, e.g. https://app.example.com, or "
        "null (sandboxed iframe, file://). Default: an unrelated third-party site.",
    ),
]
Method = Annotated[
    str,
    typer.Option(
        "--method",
        "-X",
        help="The method exactly as the script writes it "
        "(case matters for non-standard methods: patch is not PATCH).",
        autocompletion=_complete_method,
    ),
]
MethodGiven = Annotated[
    str | None,
    typer.Option(
        "--method",
        "-X",
        help="The method exactly as the script writes it (default: GET, or the captured one; "
        "case matters for non-standard methods: patch is not PATCH).",
        autocompletion=_complete_method,
        show_default=False,
    ),
]
RequestHeaders = Annotated[
    list[str] | None,
    typer.Option("--header", "-H", help="A header the script sets, 'Name: value' (repeatable)."),
]
Credentials = Annotated[
    bool, typer.Option("--credentials", help="credentials: 'include' (cookies, auth).")
]
Cookie = Annotated[
    str | None,
    typer.Option(
        "--cookie",
        help="The Cookie header the browser's cookie jar would add "
        "to a credentialed request (scripts cannot set Cookie).",
    ),
]
Data = Annotated[
    str | None,
    typer.Option(
        "--data",
        "-d",
        help="The body: a string, or @FILE for a file's bytes, sent as fetch() sends a "
        "string (Content-Type: text/plain;charset=UTF-8 unless you set one).",
    ),
]
OutputFormat = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
ShowSecrets = Annotated[
    bool,
    typer.Option(
        "--show-secrets",
        help="Do not mask Authorization, Cookie and API-key-like header values in the output.",
    ),
]
Insecure = Annotated[bool, typer.Option("--insecure", "-k", help="Do not verify TLS certificates.")]
CaCert = Annotated[
    str | None,
    typer.Option(
        "--cacert", help="A CA bundle (PEM) to verify TLS with.", callback=_existing_cacert
    ),
]
Http2 = Annotated[bool, typer.Option("--http2", help="Allow HTTP/2 (via ALPN).")]
Verbose = Annotated[
    bool, typer.Option("--verbose", "-v", help="Show every header and the timeline in detail.")
]


class Engine(StrEnum):
    """`--browser`: the engine whose verdict a check gives, or every engine side by side."""

    CHROMIUM = "chromium"
    FIREFOX = "firefox"
    SAFARI = "safari"
    ALL = "all"

    def names(self) -> tuple[str, ...]:
        """The engines' command-line names this choice stands for, in report order."""
        if self is Engine.ALL:
            return ("chromium", "firefox", "safari")
        return (self.value,)


BrowserChoice = Annotated[
    Engine,
    typer.Option(
        "--browser",
        "-b",
        help="The engine whose verdict, requests and console lines to give: chromium (Chrome, "
        "Edge), firefox, safari (measured on WebKitGTK), or all of them side by side.",
        case_sensitive=False,
    ),
]


def _user_agent(value: str | None) -> str | None:
    if value is not None and (
        not value.strip() or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value)
    ):
        raise UsageError("--user-agent: give a non-empty value without control characters")
    return value


UserAgent = Annotated[
    str | None,
    typer.Option(
        "--user-agent",
        metavar="STRING",
        help="Send this User-Agent instead of the engine's own.",
        callback=_user_agent,
    ),
]

Mode = Annotated[
    RequestMode,
    typer.Option(
        "--mode",
        help="fetch()'s mode: cors; no-cors (no CORS check, but an opaque response: status 0, "
        "nothing readable; GET/HEAD/POST and safelisted headers only); same-origin.",
        case_sensitive=False,
    ),
]
ModeGiven = Annotated[
    RequestMode | None,
    typer.Option(
        "--mode",
        help="fetch()'s mode (default: cors, or the captured one): cors; no-cors (no CORS "
        "check, but an opaque response: status 0, nothing readable; GET/HEAD/POST and "
        "safelisted headers only); same-origin.",
        case_sensitive=False,
        show_default=False,
    ),
]
Redirect = Annotated[
    RedirectMode,
    typer.Option(
        "--redirect",
        help="fetch()'s redirect: follow; error (a redirect fails the fetch); manual (an "
        "opaque-redirect response, status 0).",
        case_sensitive=False,
    ),
]


Yes = Annotated[
    bool,
    typer.Option(
        "--yes",
        "-y",
        help="Consent to send a request with side effects "
        "(POST, PUT, PATCH, DELETE, ...) to the live server.",
    ),
]
DryRun = Annotated[
    bool,
    typer.Option("--dry-run", help="Print the exact requests a browser would send; send nothing."),
]
CacheProbe = Annotated[
    bool,
    typer.Option(
        "--cache-probe/--no-cache-probe",
        help="After the check, send the same GET or HEAD again without Origin, with another "
        "origin and with lookalikes of yours, to tell what HTTP caches, CDNs and loose origin "
        "patterns do (never repeats any other method: compares its preflight instead).",
    ),
]
AssumeHeader = Annotated[
    list[str] | None,
    typer.Option(
        "--assume-header",
        help="What if the server also sent this header? 'Name: value', set on every "
        "response (preflight and actual) before judging; '[preflight] Name: value', "
        "'[actual URL] Name: value' set it only on those responses; repeatable.",
    ),
]
Timeout = Annotated[
    float,
    typer.Option(
        "--timeout",
        metavar="SECONDS",
        callback=_bounded_timeout,
        help="Seconds to wait for each response (0.1 to 3600).",
    ),
]


def _bounded_deadline(value: float | None) -> float | None:
    from cors_probe.inputs.request import check_timeout

    return None if value is None else check_timeout(value, minimum=0.1, what="--deadline")


Deadline = Annotated[
    float | None,
    typer.Option(
        "--deadline",
        metavar="SECONDS",
        callback=_bounded_deadline,
        help="Seconds the whole conversation may take, preflight and redirects included "
        "(default: 3 x the time-out).",
    ),
]
Proxy = Annotated[
    str | None,
    typer.Option(
        "--proxy",
        metavar="URL",
        callback=_proxy,
        help="Send through this proxy: http://, https://, socks5:// or socks5h://HOST:PORT "
        "(default: HTTP_PROXY, HTTPS_PROXY, ALL_PROXY from the environment).",
    ),
]
Output = Annotated[
    list[str] | None,
    typer.Option(
        "--output",
        help="Write the format to FILE (the terminal then shows the text summary), or "
        "FORMAT:FILE to write another format besides, e.g. junit:cors-junit.xml; "
        "repeatable.",
    ),
]
PolicyFileArgument = Annotated[
    str | None,
    typer.Argument(
        metavar="[FILE]",
        help="The policy file (default: cors-probe.toml, or [tool.cors-probe] in pyproject.toml).",
    ),
]
Jobs = Annotated[
    int, typer.Option("--jobs", "-j", min=1, max=256, help="Checks in flight at once.")
]
MAX_RATE = 10_000.0


def _bounded_rate(value: float) -> float:
    """0 (no limit), or a finite rate from 0.01 to MAX_RATE requests per second."""
    if value != 0 and not (math.isfinite(value) and 0.01 <= value <= MAX_RATE):
        raise UsageError(
            f"--rate must be 0 (no limit) or from 0.01 up to {MAX_RATE:,.0f} requests per "
            f"second, not {value:g}"
        )
    return value


Rate = Annotated[
    float,
    typer.Option(
        "--rate",
        metavar="PER_SECOND",
        callback=_bounded_rate,
        help="At most this many requests per second to each host (0: no limit).",
    ),
]
YesToAll = Annotated[
    bool,
    typer.Option(
        "--yes",
        "-y",
        help="Consent to every side-effecting request (POST, PUT, PATCH, DELETE, ...) the "
        "file's checks send, even those without allow_side_effects = true.",
    ),
]
UnreachableOption = Annotated[
    Unreachable,
    typer.Option(
        "--unreachable",
        help="An unreachable target: error (exit 3), fail (a failed expectation, exit 1) or skip.",
    ),
]
Baseline = Annotated[
    str | None,
    typer.Option(
        "--baseline",
        help="A previous `run --format json` result: report only what changed "
        "(verdict flips, new findings, new failures); known failures do not fail the run.",
    ),
]
LocalNetwork = Annotated[
    LocalNetworkPermission | None,
    typer.Option(
        "--local-network",
        help="Chromium's Local Network Access: the user's answer when a page calls a more "
        "private address space (public -> local -> loopback): granted, denied, or prompt "
        "(default: not answered yet; the verdict then depends on it).",
        case_sensitive=False,
    ),
]
PageAddressSpace = Annotated[
    AddressSpace | None,
    typer.Option(
        "--page-address-space",
        help="The page's address space, in Chromium's names: public, local or loopback "
        "(default: from --origin; a host name is resolved, public if it does not resolve).",
        case_sensitive=False,
    ),
]


def request_options(
    given: tuple[str | None, str | None, str | None, Sequence[str], bool, str | None, str | None],
    mode: RequestMode | None,
    from_curl: str | None,
    from_fetch: str | None,
) -> tuple[RequestOptions, Derivation | None]:
    """The request options as typed (`given`: URL, origin, method, -H, --credentials, --data,
    --cookie), or derived from a capture (`--from-curl`, `--from-fetch`) with every flag given
    replacing what was derived (inputs/capture.py, imported only then). UsageError without a URL
    and without a capture, and for a capture's mistake (its line scrubbed of the capture's
    secrets, render/scrub.py capture_secrets)."""
    from dataclasses import replace

    from cors_probe.inputs.request import RequestOptions

    url, origin, method, headers, credentials, data, cookie = given
    if from_curl is None and from_fetch is None:
        if url is None:
            raise UsageError("give the URL to check, or --from-curl / --from-fetch")
        options = RequestOptions(url, origin, method or "GET", headers, credentials, data, cookie)
        return replace(options, mode=mode or RequestMode.CORS), None
    from cors_probe.inputs.capture import CaptureError, Overrides, from_capture

    overrides = Overrides(url, origin, method, tuple(headers), credentials, data, cookie, mode)
    try:
        return from_capture(from_curl, from_fetch, overrides)
    except CaptureError as error:  # the capture's secrets masked wherever the text came from
        from cors_probe.render.scrub import capture_secrets, clean_line

        raise UsageError(clean_line(str(error), capture_secrets(error.text))) from None
