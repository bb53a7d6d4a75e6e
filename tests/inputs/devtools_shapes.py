"""The DevTools "Copy as ..." generators, ported to Python for the parsers' round-trip tables.

Each function follows one generator line for line (read from the sources on 2026-12-01):
- Chromium devtools-frontend (npm chrome-devtools-frontend 1.0.1705227),
  front_end/panels/network/NetworkLogView.ts: generateCurlCommand with its escapeStringPosix and
  escapeStringWin, generatePowerShellCommand with its escapeString, generateFetchCall;
- Firefox 153 ESR (omni.ja), devtools/client/shared/curl.js: Curl.generateCommand,
  CurlUtils.escapeStringPosix and escapeStringWin; devtools/client/netmonitor/src/utils/
  powershell.js: escapeStr and PowerShell.generateCommand; devtools/client/netmonitor/src/
  widgets/RequestListContextMenu.js: generateFetchString.
The captured shapes of real engines are in tests/data/captures/devtools (when present); these
ports give the tables their hostile values without a browser.
"""

from __future__ import annotations

import json
import re

Headers = list[tuple[str, str]]


def _utf16_units(text: str) -> list[int]:
    """JavaScript's charCodeAt over a string: UTF-16 code units."""
    data = text.encode("utf-16-le", "surrogatepass")
    return [int.from_bytes(data[i : i + 2], "little") for i in range(0, len(data), 2)]


def _js_chars(text: str) -> list[str]:
    """A string as JavaScript's regex replace sees it (non-unicode mode): UTF-16 code units."""
    return [chr(u) for u in _utf16_units(text)]


def chrome_posix(text: str) -> str:
    """NetworkLogView.ts escapeStringPosix."""
    if re.search(r"[\x00-\x1f\x7f-\x9f!']", text):
        out = text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n")
        out = out.replace("\r", "\\r")
        out = re.sub(r"[\x00-\x1f\x7f-\x9f!]", lambda m: f"\\u{ord(m.group(0)):04x}", out)
        return "$'" + out + "'"
    return "'" + text + "'"


def firefox_posix(text: str) -> str:
    """curl.js CurlUtils.escapeStringPosix (characters outside printable ASCII as \\xHH below
    256, else \\uHHHH per UTF-16 code unit)."""
    if not re.search(r"[^\x20-\x7e]|!|'", text):
        return "'" + text + "'"
    out = text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n")
    out = out.replace("\r", "\\r").replace("!", "\\041")
    escaped = []
    for char in _js_chars(out):
        code = ord(char)
        if 0x20 <= code <= 0x7E:
            escaped.append(char)
        elif code < 256:
            escaped.append(f"\\x{code:02x}")
        else:
            escaped.append(f"\\u{code:04x}")
    return "$'" + "".join(escaped) + "'"


def chrome_win(text: str) -> str:
    """NetworkLogView.ts escapeStringWin."""
    out = text.replace("\\", "\\\\").replace('"', '\\"')
    out = re.sub(r"[^a-zA-Z0-9\s_\-:=+~'/.',?;*]", lambda m: "^" + m.group(0), out)
    out = re.sub(r"%(?=[a-zA-Z0-9_])", "%^", out)
    out = re.sub(r"[^ -~\r\n]", " ", out)
    out = re.sub(r"\r?\n|\r", "^\n\n", out)
    return '^"' + out + '^"'


def firefox_win(text: str) -> str:
    """curl.js CurlUtils.escapeStringWin (`\\p{C}`: control and unassigned characters)."""
    out = text.replace("\\", "\\\\").replace('"', '\\"')
    out = "".join(
        c if re.fullmatch(r"[-a-zA-Z0-9\s_:=+~/.',?;()*`]", c) or _is_other(c) else "^" + c
        for c in out
    )
    out = re.sub(r"%(?=[a-zA-Z0-9_])", "%^", out)
    out = re.sub(r"[^\S\r\n]", " ", out)
    out = re.sub(r"\r?\n|\r", "^\n\n", out)
    return '^"' + out + '^"'


def _is_other(char: str) -> bool:
    import unicodedata

    return unicodedata.category(char).startswith("C")


def powershell_string(text: str) -> str:
    """NetworkLogView.ts generatePowerShellCommand escapeString (= powershell.js escapeStr)."""
    out = re.sub(r"[`$\"]", lambda m: "`" + m.group(0), text)
    chars = _js_chars(out)
    return '"' + "".join(c if 0x20 <= ord(c) <= 0x7E else f"$([char]{ord(c)})" for c in chars) + '"'


def chrome_curl(
    url: str, method: str, headers: Headers, body: str | None, platform: str = "unix"
) -> str:
    """NetworkLogView.ts generateCurlCommand (ignored headers, -b for a Cookie, --data-raw)."""
    escape = chrome_win if platform == "win" else chrome_posix
    ignored = {"accept-encoding", "host", "method", "path", "scheme", "version", "authority"}
    ignored.add("protocol")
    command = ["--url " + re.sub(r"[\[{}\]]", lambda m: "\\" + m.group(0), escape(url))]
    inferred = "GET"
    data = []
    if body:
        data.append("--data-raw " + escape(body))
        ignored.add("content-length")
        inferred = "POST"
    if method != inferred:
        command.append("-X " + escape(method))
    for raw_name, value in headers:
        name = raw_name.removeprefix(":")
        if name.lower() in ignored:
            continue
        if not value.strip():
            command.append("-H " + escape(name + ";"))
        elif name.lower() == "cookie" and "=" in value:
            command.append("-b " + escape(value))
        else:
            command.append("-H " + escape(f"{name}: {value}"))
    command += data
    joiner = (" ^\n  " if platform == "win" else " \\\n  ") if len(command) >= 3 else " "
    return "curl " + joiner.join(command)


def firefox_curl(
    url: str, method: str, headers: Headers, body: str | None, platform: str = "Linux"
) -> str:
    """curl.js Curl.generateCommand (no multipart; --compressed when the response was)."""
    escape = firefox_win if platform == "WINNT" else firefox_posix

    def if_needed(value: str) -> str:
        return value if re.fullmatch(r"[a-zA-Z-]+", value) else escape(value)

    parts = [escape(url)]
    if "[" in url or "]" in url:
        parts.append("--globoff")
    ignored = {"host"}
    post = []
    if body and method in ("PUT", "POST", "PATCH"):
        post.append("--data-raw " + if_needed(body.split("\r\n")[-1]))
        ignored.add("content-length")
    parts.append("--compressed")
    if method == "HEAD":
        parts.append("-I")
    elif method != "GET":
        parts.append("-X " + if_needed(method))
    parts += [
        "-H " + if_needed(f"{name}: {value}")
        for name, value in headers
        if name.lower() not in ignored
    ]
    parts += post
    joiner = (" ^\n  " if platform == "WINNT" else " \\\n  ") if len(parts) >= 3 else " "
    return ("curl.exe " if platform == "WINNT" else "curl ") + joiner.join(parts)


def chrome_powershell(
    url: str,
    method: str,
    headers: Headers,
    body: str | None,
    cookies: tuple[tuple[str, str], ...] = (),
) -> str:
    """NetworkLogView.ts generatePowerShellCommand."""
    ignored = {"host", "connection", "proxy-connection", "content-length", "expect", "range"}
    ignored |= {"content-type", "user-agent", "cookie"}
    props = []
    agent = next((v for n, v in headers if n.lower() == "user-agent"), None)
    if agent is not None:
        props.append(f"$session.UserAgent = {powershell_string(agent)}")
    for name, value in cookies:
        props.append(
            f"$session.Cookies.Add((New-Object System.Net.Cookie({powershell_string(name)}, "
            f'{powershell_string(value)}, "/", {powershell_string("127.0.0.1")})))'
        )
    session = (
        "$session = New-Object Microsoft.PowerShell.Commands.WebRequestSession\n"
        + "\n".join(props)
        + "\n"
        if props
        else ""
    )
    command = ["-Uri " + powershell_string(url)]
    if method != "GET":
        command.append("-Method " + powershell_string(method))
    if session:
        command.append("-WebSession $session")
    pairs = [
        powershell_string(n.removeprefix(":")) + "=" + powershell_string(v)
        for n, v in headers
        if n.removeprefix(":").lower() not in ignored
    ]
    if pairs:
        command.append("-Headers @{\n" + "\n  ".join(pairs) + "\n}")
    content_type = next((v for n, v in headers if n.lower() == "content-type"), None)
    if content_type is not None:
        command.append("-ContentType " + powershell_string(content_type))
    if body:
        escaped = powershell_string(body)
        if re.search(r"[^\x20-\x7e]", body):
            command.append(f"-Body ([System.Text.Encoding]::UTF8.GetBytes({escaped}))")
        else:
            command.append("-Body " + escaped)
    joiner = " `\n" if len(command) >= 3 else " "
    return session + "Invoke-WebRequest -UseBasicParsing " + joiner.join(command)


_FORBIDDEN = {
    "accept-charset", "accept-encoding", "access-control-request-headers",
    "access-control-request-method", "connection", "content-length", "cookie", "cookie2", "date",
    "dnt", "expect", "host", "keep-alive", "origin", "referer", "te", "trailer",
    "transfer-encoding", "upgrade", "via",
}  # fmt: skip


def chrome_fetch(
    url: str, method: str, headers: Headers, body: str | None, node: bool = False
) -> str:
    """NetworkLogView.ts generateFetchCall (FetchStyle.BROWSER, or NODE_JS)."""

    def filtered(name: str) -> bool:
        lowered = name.lower()
        return (
            lowered in {"method", "path", "scheme", "version", "user-agent"}
            or ":" in name
            or lowered in _FORBIDDEN
            or lowered.startswith(("proxy-", "sec-"))
        )

    kept = {n.lower(): v for n, v in headers if not filtered(n)}  # the Headers object lower-cases
    credentials = (
        "include" if any(n.lower() in ("cookie", "authorization") for n, _ in headers) else "omit"
    )
    referrer = next((v for n, v in headers if n.lower() == "referer"), None)
    options: dict[str, object] = {}
    if kept:
        options["headers"] = kept
    if referrer is not None:
        options["referrer"] = referrer
    options["body"] = body
    options["method"] = method
    if node:
        extra = {}
        cookie = next((v for n, v in headers if n.lower() == "cookie"), None)
        if cookie is not None:
            extra["cookie"] = cookie
        if referrer is not None:
            del options["referrer"]
            extra["Referer"] = referrer
        if extra:
            options["headers"] = {**kept, **extra}
    else:
        options["mode"] = "cors"
        options["credentials"] = credentials
    return f"fetch({json.dumps(url)}, {json.dumps(options, indent=2, ensure_ascii=False)});"


def firefox_fetch(url: str, method: str, headers: Headers, body: str | None) -> str:
    """RequestListContextMenu.js generateFetchString."""
    kept = {n: v for n, v in headers if n.lower() not in _FORBIDDEN}
    referrer = next((v for n, v in headers if n.lower() == "referer"), None)
    credentials = (
        "include" if any(n.lower() in ("cookie", "authorization") for n, _ in headers) else "omit"
    )
    options: dict[str, object] = {"credentials": credentials, "headers": kept}
    if referrer is not None:
        options["referrer"] = referrer
    if body is not None:
        options["body"] = body
    options |= {"method": method, "mode": "cors"}
    return f"await fetch({json.dumps(url)}, {json.dumps(options, indent=4, ensure_ascii=False)});"
