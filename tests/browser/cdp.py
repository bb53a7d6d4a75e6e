"""A small DevTools-protocol driver for headless Chromium: start, evaluate, read the console.

Only what the referee tests need: one browser, one page, `Runtime.evaluate` with awaited promises,
and every console entry (`Log.entryAdded`, where Chromium prints its CORS errors) kept in order.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import websocket

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--remote-debugging-port=0",
    "--remote-allow-origins=*",
)


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass(frozen=True)
class ConsoleEntry:
    source: str
    level: str
    text: str
    url: str | None


class CdpError(RuntimeError):
    pass


class Browser:
    """One headless Chromium with one page; commands are synchronous, events are collected."""

    def __init__(
        self,
        executable: str,
        preferences: dict[str, Any] | None = None,
        extra_flags: tuple[str, ...] = (),
    ) -> None:
        self._profile = tempfile.mkdtemp(prefix="cors-probe-chromium-")
        if preferences is not None:  # the profile's Preferences, read at start-up
            Path(self._profile, "Default").mkdir()
            Path(self._profile, "Default", "Preferences").write_text(json.dumps(preferences))
        self._process = subprocess.Popen(
            [
                executable,
                *CHROMIUM_FLAGS,
                *extra_flags,
                f"--user-data-dir={self._profile}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._replies: dict[int, dict[str, Any]] = {}
        self._reply_ready = threading.Condition(self._lock)
        self.console: list[ConsoleEntry] = []
        self.network: list[dict[str, Any]] = []
        """Every `Network.*` event, in order, once `Network.enable` was sent (the captures)."""
        self._socket = websocket.create_connection(
            self._endpoint(), timeout=30, suppress_origin=True
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        target = self.command("Target.createTarget", url="about:blank")["targetId"]
        self._session = self.command("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log"):
            self.command(f"{domain}.enable", session=True)
        self.version = self.command("Browser.getVersion")["product"]

    def _endpoint(self) -> str:
        marker = Path(self._profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise CdpError(f"chromium exited with {self._process.returncode} at start-up")
            with contextlib.suppress(FileNotFoundError, ValueError):
                port, path = marker.read_text().split("\n")[:2]
                if port and path:
                    return f"ws://127.0.0.1:{int(port)}{path}"
            time.sleep(0.05)
        raise CdpError("chromium did not open its DevTools port in 30 s")

    def _read(self) -> None:
        while True:
            try:
                raw = self._socket.recv()
            except websocket.WebSocketTimeoutException:
                continue  # an idle browser (while cors-probe runs) is not a dead one
            except (websocket.WebSocketException, OSError):
                with self._lock:
                    self._reply_ready.notify_all()
                return
            if not raw:
                continue
            message = json.loads(raw)
            if "id" in message:
                with self._lock:
                    self._replies[message["id"]] = message
                    self._reply_ready.notify_all()
            elif message.get("method") == "Log.entryAdded":
                entry = message["params"]["entry"]
                with self._lock:
                    self.console.append(
                        ConsoleEntry(
                            entry["source"], entry["level"], entry["text"], entry.get("url")
                        )
                    )
            elif message.get("method", "").startswith("Network."):
                with self._lock:
                    self.network.append(message)

    def command(
        self, method: str, *, session: bool = False, timeout: float = 30, **params: Any
    ) -> Any:
        ident = next(self._ids)
        message: dict[str, Any] = {"id": ident, "method": method, "params": params}
        if session:
            message["sessionId"] = self._session
        self._socket.send(json.dumps(message))
        deadline = time.monotonic() + timeout
        with self._lock:
            while ident not in self._replies:
                left = deadline - time.monotonic()
                if left <= 0 or not self._reader.is_alive():
                    raise CdpError(f"no answer to {method}")
                self._reply_ready.wait(left)
            reply = self._replies.pop(ident)
        if "error" in reply:
            raise CdpError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def navigate(self, url: str) -> None:
        self.command("Page.navigate", session=True, url=url)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            state = self.evaluate("document.readyState + ' ' + location.href")
            if state == f"complete {url}":
                return
            time.sleep(0.02)
        raise CdpError(f"{url} did not load")

    def evaluate(self, expression: str, timeout: float = 30) -> Any:
        result = self.command(
            "Runtime.evaluate",
            session=True,
            timeout=timeout,
            expression=expression,
            awaitPromise=True,
            returnByValue=True,
        )
        if "exceptionDetails" in result:
            raise CdpError(f"script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: Path) -> Path:
        """Save the page as it looks now to `path` (PNG)."""
        data = self.command(
            "Page.captureScreenshot", session=True, format="png", captureBeyondViewport=True
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data["data"]))
        return path

    def network_events(self) -> list[dict[str, Any]]:
        """A copy of `network`, taken under the reader's lock."""
        with self._lock:
            return list(self.network)

    def console_since(self, index: int) -> list[ConsoleEntry]:
        with self._lock:
            return list(self.console[index:])

    def console_mark(self) -> int:
        with self._lock:
            return len(self.console)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.command("Browser.close", timeout=5)
        with contextlib.suppress(Exception):
            self._socket.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        shutil.rmtree(self._profile, ignore_errors=True)


def browser(
    executable: str,
    preferences: dict[str, Any] | None = None,
    extra_flags: tuple[str, ...] = (),
) -> contextlib.closing[Browser]:
    """One headless Chromium; `preferences` are its profile's Preferences (the cookie referee's
    third-party cookie setting), `extra_flags` are added to `CHROMIUM_FLAGS` (e.g. the gates'
    `--ip-address-space-overrides=...` or `--host-resolver-rules=...`)."""
    return contextlib.closing(Browser(executable, preferences, extra_flags))


def environment_note() -> str:
    return "CI" if os.environ.get("CI") == "true" else "local"
