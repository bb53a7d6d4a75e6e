"""A small driver for WebKitGTK (the engine inside Safari): start, evaluate, read the console.

The mirror of `cdp.py` for WebKit. WebKitGTK is only reachable through GObject introspection,
which the project's Python cannot import, so the engine runs in `webkit_driver.py` under the
system interpreter (with an Xvfb of its own) and this module talks to it: JSON commands on its
stdin, JSON replies on a pipe of their own. The web process prints every console message, CORS
errors included, on the inherited stderr (not stdout, whatever the setting's name says), one
message per write:

    CONSOLE SECURITY ERROR Preflight response is not successful. Status code: 500
    CONSOLE JS ERROR Fetch API cannot load http://localhost:9000/x due to access control checks.
    http://127.0.0.1:8000/:2:12: CONSOLE LOG from the page

that is `[WHERE: ]CONSOLE [SOURCE ]LEVEL TEXT`. WHERE is the top stack frame's URL[:LINE[:COLUMN]]
or `[native code]`, for messages that come from script; TEXT may go on over more lines
(console.log("a\\nb"), console.trace()). Calls to console.* print no SOURCE word; their entries get
the source "CONSOLE".
"""

from __future__ import annotations

import collections
import contextlib
import functools
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any, NamedTuple

from tests.browser import console

DEFAULT_INTERPRETER = "/usr/bin/python3"
DRIVER = Path(__file__).with_name("webkit_driver.py")

START_TIMEOUT = 60.0
CLOSE_TIMEOUT = 10.0

_LEVELS = (
    "LOG|INFO|WARN|ERROR|DEBUG|CLEAR|DIRXML|TABLE|TRACE|STARTGROUP|STARTGROUPCOLLAPSED|ENDGROUP|"
    "ASSERT|TIMING|PROFILE|PROFILEEND|IMAGE"
)
CONSOLE_LINE = re.compile(
    r"(?:(?P<url>[^\n]*?)(?::(?P<line>\d+)(?::(?P<column>\d+))?)?: )??"
    rf"CONSOLE (?:(?P<source>(?!(?:{_LEVELS})(?: |$))[A-Za-z]+) )?(?P<level>{_LEVELS})"
    r"(?: |$)(?P<text>.*)",
    re.DOTALL,
)
"""The first line of a console message, as JavaScriptCore's ConsoleClient prints it."""

NOT_CONSOLE = re.compile(
    r"\*\*|\(\S+:\d+\): |[\w.-]+-(?:Message|WARNING|CRITICAL|ERROR|DEBUG|INFO)\b|webkit_driver: "
)
"""Lines that are never the continuation of a console message: GLib's and the driver's own."""


class ConsoleEntry(NamedTuple):
    source: str
    """SECURITY, JS, NETWORK, ... or CONSOLE for console.* calls."""
    level: str
    """LOG, INFO, WARN, ERROR, DEBUG (or TABLE, TRACE, ... for those console.* calls)."""
    text: str
    """The message without its prefix; more lines are joined with "\\n"."""


class WebKitError(RuntimeError):
    pass


def _driver_command(interpreter: str, *args: str) -> list[str]:
    # -I: nothing from the environment (PYTHONPATH, a venv) reaches the system interpreter
    return [interpreter, "-I", str(DRIVER), *args]


@functools.cache
def find_webkit(interpreter: str = DEFAULT_INTERPRETER) -> str | None:
    """`interpreter` when it can import WebKit2 4.1 through gi and Xvfb is installed, else None."""
    if shutil.which("Xvfb") is None or not os.access(interpreter, os.X_OK):
        return None
    probe = (
        "import gi; gi.require_version('Gtk', '3.0'); gi.require_version('WebKit2', '4.1'); "
        "from gi.repository import WebKit2; "
        "assert (WebKit2.get_major_version(), WebKit2.get_minor_version()) >= (2, 40)"
    )
    try:
        done = subprocess.run(
            [interpreter, "-I", "-c", probe],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return interpreter if done.returncode == 0 else None


class _Message:
    """A console message being read: more lines may follow its first."""

    def __init__(self, source: str, level: str, text: str) -> None:
        self.source = source
        self.level = level
        self.lines = [text]

    def entry(self) -> ConsoleEntry:
        return ConsoleEntry(self.source, self.level, "\n".join(self.lines).rstrip("\n"))


class WebKit:
    """One WebKitGTK web view in its own process; commands are synchronous, console collected."""

    name = "safari"

    def __init__(self, interpreter: str, ignore_tls_errors: bool = False) -> None:
        started = time.monotonic()
        self._data = tempfile.mkdtemp(prefix="cors-probe-webkit-")
        replies_read, replies_write = os.pipe()
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        try:
            self._process = subprocess.Popen(
                _driver_command(
                    interpreter,
                    "--reply-fd",
                    str(replies_write),
                    "--data-dir",
                    self._data,
                    *(("--ignore-tls-errors",) if ignore_tls_errors else ()),
                ),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=(replies_write,),
                env=env,
                start_new_session=True,  # its group: the driver, its Xvfb and WebKit's processes
            )
        except BaseException:
            os.close(replies_read)
            shutil.rmtree(self._data, ignore_errors=True)
            raise
        finally:
            os.close(replies_write)
        self._replies_file = os.fdopen(replies_read, "rb")
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._replies: dict[int, dict[str, Any]] = {}
        self._messages: list[_Message] = []
        self.output: collections.deque[str] = collections.deque(maxlen=200)
        """The last lines the driver and WebKit printed, console or not (for error messages)."""
        self._readers = [
            threading.Thread(target=self._read_replies, daemon=True),
            *(
                threading.Thread(target=self._read_output, args=(stream,), daemon=True)
                for stream in (self._process.stdout, self._process.stderr)
            ),
        ]
        for reader in self._readers:
            reader.start()
        try:
            self._wait(0, START_TIMEOUT - (time.monotonic() - started), "start-up")
            about = self.command("version", timeout=10)
        except BaseException:
            self.close()
            raise
        self.version: str = f"WebKitGTK {about['major']}.{about['minor']}.{about['micro']}"
        self.user_agent: str = about["user_agent"]
        self.startup_seconds = time.monotonic() - started

    # --- the channel ------------------------------------------------------------------------

    def _read_replies(self) -> None:
        for raw in self._replies_file:
            try:
                message = json.loads(raw)
            except ValueError:
                continue
            with self._lock:
                self._replies[int(message["id"])] = message
                self._changed.notify_all()
        with self._lock:
            self._changed.notify_all()

    def _read_output(self, stream: IO[bytes]) -> None:
        """Collect console messages from one of the driver's output streams.

        A message is printed with one write, so its lines come in one read: a line continues
        the message before it only when no read boundary lies between them (and when it is not
        GLib's). A read that ends inside a line keeps the message open.
        """
        pending = b""
        current: _Message | None = None
        fd = stream.fileno()
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                break
            *lines, pending = (pending + chunk).split(b"\n")
            with self._lock:
                for raw in lines:
                    line = raw.decode("utf-8", "replace")
                    self.output.append(line)
                    current = self._take_line(line, current)
                if not pending:
                    current = None
                self._changed.notify_all()
        if pending:
            with self._lock:
                self.output.append(pending.decode("utf-8", "replace"))
                self._take_line(pending.decode("utf-8", "replace"), current)

    def _take_line(self, line: str, current: _Message | None) -> _Message | None:
        match = CONSOLE_LINE.fullmatch(line)
        if match is not None:
            message = _Message(match["source"] or "CONSOLE", match["level"], match["text"])
            self._messages.append(message)
            return message
        if current is not None and not NOT_CONSOLE.match(line):
            current.lines.append(line)
            return current
        return None

    def _wait(self, ident: int, timeout: float, what: str) -> Any:
        deadline = time.monotonic() + timeout
        with self._lock:
            while ident not in self._replies:
                left = deadline - time.monotonic()
                if self._process.poll() is not None and not self._readers[0].is_alive():
                    raise WebKitError(
                        f"the WebKit driver exited ({self._process.returncode}) during {what}: "
                        + " | ".join(self.output)
                    )
                if left <= 0:
                    raise WebKitError(f"no answer to {what} in {timeout:g} s")
                self._changed.wait(min(left, 0.5))
            reply = self._replies.pop(ident)
        if "error" in reply:
            raise WebKitError(f"{what}: {reply['error']}")
        return reply.get("value")

    def command(self, op: str, *, timeout: float = 30, **params: Any) -> Any:
        ident = next(self._ids)
        line = json.dumps({"id": ident, "op": op, **params}) + "\n"
        stdin = self._process.stdin
        assert stdin is not None
        try:
            stdin.write(line.encode())
            stdin.flush()
        except OSError as error:
            raise WebKitError(f"the WebKit driver is gone: {error}") from error
        return self._wait(ident, timeout, op)

    # --- the page ---------------------------------------------------------------------------

    def navigate(self, url: str) -> None:
        """Load `url` and wait until it has loaded (WebKit's load-finished)."""
        self.command("navigate", url=url, timeout=30)

    def evaluate(self, expression: str, timeout: float = 30) -> Any:
        """The JSON-able value of `expression` in the page, awaited if it is a promise."""
        return self.command("evaluate", expression=expression, timeout=timeout)

    # --- the console ------------------------------------------------------------------------

    def console_mark(self) -> int:
        with self._lock:
            return len(self._messages)

    def console_entries_since(self, mark: int) -> list[ConsoleEntry]:
        with self._lock:
            return [message.entry() for message in self._messages[mark:]]

    def console_since(self, mark: int) -> list[str]:
        """The console messages since `mark`, text only, as WebKit prints them after the prefix."""
        return [entry.text for entry in self.console_entries_since(mark)]

    def settle(self, mark: int, quiet: float = 0.15, limit: float = 2.0) -> list[str]:
        """`console_since(mark)` once no new message has come for `quiet` s (at most `limit` s)."""
        return console.settle(self.console_since, mark, quiet, limit)

    def close(self) -> None:
        """Ask the driver to quit; after CLOSE_TIMEOUT s, kill it with everything it started."""
        stdin = self._process.stdin
        if stdin is not None:
            with contextlib.suppress(OSError, ValueError):
                stdin.write(b'{"id": -1, "op": "quit"}\n')
                stdin.flush()
            with contextlib.suppress(OSError):
                stdin.close()  # end of stdin: the driver quits too
        try:
            self._process.wait(timeout=CLOSE_TIMEOUT)
        except subprocess.TimeoutExpired:
            # not reaped yet, so its id still names its process group (start_new_session):
            # the driver, its Xvfb and WebKit's processes, all started here
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait()
        for reader in self._readers:
            reader.join(timeout=2)
        for stream in (self._process.stdout, self._process.stderr, self._replies_file):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()
        shutil.rmtree(self._data, ignore_errors=True)


def webkit(interpreter: str, ignore_tls_errors: bool = False) -> contextlib.closing[WebKit]:
    """One WebKitGTK view; `ignore_tls_errors` for self-signed https pages (the gates)."""
    return contextlib.closing(WebKit(interpreter, ignore_tls_errors))


def environment_note() -> str:
    return "CI" if os.environ.get("CI") == "true" else "local"


if __name__ == "__main__":  # a quick look: python -m tests.browser.webkit
    found = find_webkit()
    print(found or "WebKitGTK not found", file=sys.stderr)
    if found:
        with webkit(found) as view:
            print(view.version, f"started in {view.startup_seconds:.2f} s")
