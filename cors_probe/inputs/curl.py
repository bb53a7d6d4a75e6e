"""DevTools' "Copy as cURL" (bash or cmd) and "Copy as PowerShell" text -> a CapturedRequest.

The shapes read are those the engines' DevTools write:
- Chromium: devtools-frontend front_end/panels/network/NetworkLogView.ts, generateCurlCommand
  (`curl --url '...' -X ... -H '...' -b '...' --data-raw '...'`, platform `unix` or `win`) and
  generatePowerShellCommand (inputs/powershell.py);
- Firefox: devtools/client/shared/curl.js, Curl.generateCommand (`curl 'URL' --compressed -X ...
  -H ... --data-raw ...`, `curl.exe` with `^"` quoting on Windows, `-I` for HEAD, `--globoff`),
  and devtools/client/netmonitor/src/utils/powershell.js.
The variant is told by the text's shape: `Invoke-WebRequest` is PowerShell; `curl.exe`, `^"`
quoting or a ` ^` line join is cmd; anything else is bash. Then curl's own options are read as
curl reads them (curl(1)): the method is -X, else HEAD with -I, else POST with a body, else GET.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from urllib.parse import quote_plus

from cors_probe.errors import UsageError
from cors_probe.inputs.capture import CapturedRequest, engine_of
from cors_probe.inputs.excerpt import excerpt
from cors_probe.secrets import MASK, is_secret

_WITH_VALUE = {
    "-X": "method",
    "--request": "method",
    "-H": "header",
    "--header": "header",
    "-b": "cookie",
    "--cookie": "cookie",
    "-d": "data",
    "--data": "data",
    "--data-ascii": "data",
    "--data-binary": "data",
    "--data-raw": "data-raw",
    "--data-urlencode": "data-urlencode",
    "--json": "json",
    "--url": "url",
    "-A": "user-agent",
    "--user-agent": "user-agent",
    "-e": "referer",
    "--referer": "referer",
    "-u": "user",
    "--user": "user",
    # taking a value that does not change the request a browser sent
    "-o": None,
    "--output": None,
    "-m": None,
    "--max-time": None,
    "--connect-timeout": None,
    "--retry": None,
    "-w": None,
    "--write-out": None,
}
"""curl options that take a value -> what the value is (None: read and left aside)."""
_FLAGS = {
    "-I": "head",
    "--head": "head",
    "-G": "get",
    "--get": "get",
    "-g": "globoff",
    "--globoff": "globoff",
    # how curl talks or prints, not what the browser sent
    "--compressed": None,
    "-k": None,
    "--insecure": None,
    "-s": None,
    "--silent": None,
    "-S": None,
    "--show-error": None,
    "-v": None,
    "--verbose": None,
    "-i": None,
    "--include": None,
    "-L": None,
    "--location": None,
    "-f": None,
    "--fail": None,
    "--http1.1": None,
    "--http2": None,
    "--http2-prior-knowledge": None,
    "--http3": None,
    "-N": None,
    "--no-buffer": None,
}
"""curl options without a value -> what they mean here (None: nothing)."""
_REFUSED = {
    "-F": "a multipart form built by curl (DevTools copies the body itself, as --data-binary)",
    "--form": "a multipart form built by curl (DevTools copies the body itself, as --data-binary)",
    "-T": "an upload from a file",
    "--upload-file": "an upload from a file",
    "-K": "a config file",
    "--config": "a config file",
    "-x": "a proxy (give cors-probe --proxy)",
    "--proxy": "a proxy (give cors-probe --proxy)",
}
_GLOB_ESCAPE = re.compile(r"\\([\[\]{}])")


@dataclass
class _Command:
    """What the options said, in order."""

    url: str | None = None
    method: str | None = None
    head: bool = False
    get: bool = False
    globoff: bool = False
    headers: list[tuple[str, str]] = field(default_factory=list)
    data: list[str] = field(default_factory=list)


def _header(text: str) -> tuple[str, str] | None:
    """curl's -H: `Name: value`; `Name;` sends the header empty; `Name:` removes a header curl
    would add, so there is nothing to send (None)."""
    if text.startswith("@"):
        raise UsageError(f"-H {excerpt(text)} reads headers from a file; paste them instead")
    name, colon, value = text.partition(":")
    if not colon:
        if text.endswith(";") and ":" not in text:
            return text[:-1].strip(), ""
        first, _, rest = text.strip().partition(" ")
        shown = f"{first} {MASK}" if rest and is_secret(first) else text  # `Authorization Bearer x`
        raise UsageError(f"-H {excerpt(shown)} has no colon: curl would not send it")
    value = value.strip(" \t")
    return (name.strip(), value) if value else None


def _urlencoded(text: str) -> str:
    """curl's --data-urlencode forms `content`, `=content`, `name=content` (`@file` refused)."""
    name, equals, content = text.partition("=")
    if not equals:
        if "@" in text:
            raise UsageError(
                f"--data-urlencode {excerpt(text)} reads a file; paste the body instead"
            )
        return quote_plus(text, safe="*-._")
    encoded = quote_plus(content, safe="*-._")
    return f"{name}={encoded}" if name else encoded


def _take(command: _Command, what: str, value: str) -> None:
    """Record one option's value."""
    if what == "method":
        command.method = value
    elif what == "header":
        header = _header(value)
        if header is not None:
            command.headers.append(header)
    elif what == "cookie":
        if "=" not in value:
            raise UsageError(
                f"-b {excerpt(value)} names a cookie file; paste the cookies (name=value)"
            )
        command.headers.append(("Cookie", value))
    elif what == "data":
        if value.startswith("@"):
            raise UsageError(
                f"--data {excerpt(value)} reads a file; paste the body (or use --data-raw)"
            )
        command.data.append(value)
    elif what == "data-raw":
        command.data.append(value)
    elif what == "data-urlencode":
        command.data.append(_urlencoded(value))
    elif what == "json":
        if value.startswith("@"):
            raise UsageError(f"--json {excerpt(value)} reads a file; paste the body instead")
        command.data.append(value)
        command.headers += [("Content-Type", "application/json"), ("Accept", "application/json")]
    elif what == "url":
        _url(command, value)
    elif what == "user-agent":
        command.headers.append(("User-Agent", value))
    elif what == "referer":
        command.headers.append(("Referer", value.removesuffix(";auto")))
    elif what == "user":
        token = base64.b64encode(value.encode("utf-8")).decode("ascii")
        command.headers.append(("Authorization", f"Basic {token}"))


def _url(command: _Command, value: str) -> None:
    if command.url is not None:
        raise UsageError("the cURL command names two URLs; give one request")
    command.url = value


def _options(words: list[str]) -> _Command:
    """curl's options, read as curl(1) reads them: short options may be bundled (`-sS`) and
    take their value attached (`-XPUT`) or as the next word; long ones as the next word."""
    command = _Command()
    queue = list(words[1:])
    while queue:
        word = queue.pop(0)
        if not word.startswith("-") or word == "-":
            _url(command, word)
        elif word.startswith("--"):
            _apply(command, word, queue)
        else:
            for position, letter in enumerate(word[1:], start=1):
                option, attached = "-" + letter, word[position + 1 :]
                if option in _WITH_VALUE and attached:
                    queue.insert(0, attached)
                    _apply(command, option, queue)
                    break
                _apply(command, option, queue)
    return command


def _apply(command: _Command, name: str, queue: list[str]) -> None:
    """Apply option `name`, taking its value from the front of `queue` when it has one."""
    if name in _REFUSED:
        raise UsageError(f"curl option {name} ({_REFUSED[name]}) is not supported")
    if name in _WITH_VALUE:
        if not queue:
            raise UsageError(f"curl option {name} needs a value")
        text = queue.pop(0)
        what = _WITH_VALUE[name]
        if what is not None:
            _take(command, what, text)
        return
    if name in _FLAGS:
        flag = _FLAGS[name]
        if flag is not None:
            setattr(command, flag, True)
        return
    raise UsageError(f"unknown curl option {name}: cors-probe reads what DevTools copies")


def looks_like_cmd(text: str) -> bool:
    """Whether a cURL text is in cmd.exe's shape: `curl.exe`, `^"` quoting or ` ^` line joins."""
    stripped = text.lstrip()
    return (
        stripped.startswith("curl.exe")
        or '^"' in stripped
        or re.search(r"\s\^\r?\n", stripped) is not None
    )


def looks_like_powershell(text: str) -> bool:
    """Whether a text is DevTools' "Copy as PowerShell": an Invoke-WebRequest command, not a
    curl command that merely mentions one."""
    if re.match(r"\s*curl(\.exe)?\s", text, re.IGNORECASE):
        return False
    return re.search(r"\bInvoke-(WebRequest|RestMethod)\b", text, re.IGNORECASE) is not None


def parse_curl(text: str) -> CapturedRequest:
    """A "Copy as cURL" (bash or cmd) or "Copy as PowerShell" text -> the request it holds.

    Raises UsageError for a text that is not one curl command, a syntax error (with line and
    column), an option that is unknown or reads a file, or a command without a URL.
    """
    if looks_like_powershell(text):
        from cors_probe.inputs.powershell import parse_powershell

        return parse_powershell(text)
    from cors_probe.inputs.shell_words import bash_words, cmd_words

    cmd = looks_like_cmd(text)
    words = cmd_words(text) if cmd else bash_words(text)
    program = words[0].replace("\\", "/").rsplit("/", 1)[-1].lower() if words else ""
    if program not in ("curl", "curl.exe"):
        shown = words[0] if words else ""
        raise UsageError(f"not a curl command: it starts with {excerpt(shown)}")
    command = _options(words)
    if command.url is None:
        raise UsageError("the cURL command has no URL")
    url = command.url if command.globoff else _GLOB_ESCAPE.sub(r"\1", command.url)
    body: bytes | None = "&".join(command.data).encode("utf-8") if command.data else None
    if command.get and body is not None:
        url += ("&" if "?" in url else "?") + body.decode("utf-8")
        body = None
    method = command.method or ("HEAD" if command.head else "POST" if body is not None else "GET")
    return CapturedRequest(
        url=url,
        method=method,
        headers=tuple(command.headers),
        body=body,
        source="curl-cmd" if cmd else "curl",
        engine=engine_of(
            command.headers, "firefox" if text.lstrip().startswith("curl.exe") else None
        ),
    )
