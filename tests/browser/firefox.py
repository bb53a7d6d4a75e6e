"""A small Marionette driver for headless Firefox ESR: start, evaluate, read the console.

The mirror of `cdp.py` for Firefox, without geckodriver: Firefox's own Marionette server, one
tab, awaited expressions, and the console service, where Firefox logs its CORS errors (they are
not page console calls). The console is read with system privileges in the page's process and
the version in the chrome context, which Marionette only opens with `-remote-allow-system-access`.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.browser import console

with warnings.catch_warnings():
    # mozinfo calls the deprecated distro.linux_distribution() at import time
    warnings.simplefilter("ignore", DeprecationWarning)
    from marionette_driver import errors as marionette_errors  # type: ignore[import-untyped]
    from marionette_driver.marionette import Marionette  # type: ignore[import-untyped]

FIREFOX_FLAGS = ("--headless", "--marionette", "-remote-allow-system-access", "--no-remote")

DEAD_URL = "http://127.0.0.1:9/"
"""Where background services are pointed, so that nothing leaves the machine (port 9: refused)."""

PREFERENCES: dict[str, bool | int | str] = {
    # start-up: a blank page, no first-run pages, no default-browser prompt
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.page": 0,
    "browser.startup.homepage": "about:blank",
    "browser.startup.homepage_override.mstone": "ignore",
    "startup.homepage_welcome_url": "about:blank",
    "startup.homepage_welcome_url.additional": "",
    "browser.aboutwelcome.enabled": False,
    "browser.newtabpage.enabled": False,
    "browser.newtabpage.activity-stream.feeds.system.topstories": False,
    "browser.newtabpage.activity-stream.feeds.topsites": False,
    "browser.newtabpage.activity-stream.showSponsored": False,
    "browser.newtabpage.activity-stream.showSponsoredTopSites": False,
    "browser.newtabpage.activity-stream.telemetry": False,
    "browser.topsites.contile.enabled": False,
    "extensions.pocket.enabled": False,
    "browser.uitour.enabled": False,
    "browser.translations.enable": False,
    "browser.ml.enable": False,
    # updates: application, add-ons, system add-ons, search engines, media plug-ins
    "app.update.auto": False,
    "app.update.checkInstallTime": False,
    "app.update.disabledForTesting": True,
    "extensions.update.enabled": False,
    "extensions.update.autoUpdateDefault": False,
    "extensions.getAddons.cache.enabled": False,
    "extensions.systemAddon.update.enabled": False,
    "extensions.blocklist.enabled": False,
    "browser.search.update": False,
    "media.gmp-manager.url": DEAD_URL,
    # telemetry, data reporting, studies
    "toolkit.telemetry.enabled": False,
    "toolkit.telemetry.unified": False,
    "toolkit.telemetry.archive.enabled": False,
    "toolkit.telemetry.server": DEAD_URL,
    "toolkit.telemetry.reportingpolicy.firstRun": False,
    "toolkit.telemetry.shutdownPingSender.enabled": False,
    "toolkit.telemetry.newProfilePing.enabled": False,
    "toolkit.telemetry.firstShutdownPing.enabled": False,
    "datareporting.healthreport.uploadEnabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "datareporting.usage.uploadEnabled": False,
    "app.shield.optoutstudies.enabled": False,
    "app.normandy.enabled": False,
    "app.normandy.api_url": DEAD_URL,
    "browser.discovery.enabled": False,
    "browser.crashReports.unsubmittedCheck.enabled": False,
    # network chatter: captive portal, connectivity, prefetching, DoH, push, location
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "captivedetect.canonicalURL": DEAD_URL,
    "network.dns.disablePrefetch": True,
    "network.prefetch-next": False,
    "network.predictor.enabled": False,
    "network.http.speculative-parallel-limit": 0,
    "network.trr.mode": 5,
    "network.proxy.type": 0,
    "dom.push.enabled": False,
    "dom.push.connection.enabled": False,
    "dom.push.serverURL": DEAD_URL,
    "geo.enabled": False,
    "geo.provider.network.url": DEAD_URL,
    "browser.region.network.url": DEAD_URL,
    "browser.region.update.enabled": False,
    "identity.fxaccounts.enabled": False,
    # safe browsing and remote settings (block lists, experiments, tracking-protection lists)
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "browser.safebrowsing.downloads.enabled": False,
    "browser.safebrowsing.downloads.remote.enabled": False,
    "browser.safebrowsing.blockedURIs.enabled": False,
    "browser.safebrowsing.passwords.enabled": False,
    "browser.safebrowsing.update.enabled": False,
    "services.settings.server": DEAD_URL + "v1",
    # what the pages see: plain http on loopback, no upgrade to https
    "dom.security.https_first": False,
    "dom.security.https_first_pbm": False,
    "dom.security.https_only_mode": False,
    # Cookies: 0 = accept all, unpartitioned (measured on ESR 153). Under the default, 5 (total
    # cookie protection), a cookie that http://localhost:API set when visited first-party is NOT
    # sent on a credentialed fetch() from http://127.0.0.1:PAGE (another jar); one set by a CORS
    # response is kept in the page's partition and sent back, with a warning ("… will soon be
    # rejected because it is foreign and does not have the “Partitioned“ attribute."). With 0,
    # both are sent and that warning is gone, as in Chromium. SameSite=None without Secure is
    # rejected either way (plain http). The cookie referee (tests/browser/cookies.py) runs a
    # Firefox of its own with the default, 5.
    "network.cookie.cookieBehavior": 0,
    "network.http.max-persistent-connections-per-server": 6,  # the default, stated
}


def find_firefox() -> str | None:
    for name in ("firefox-esr", "firefox"):
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass(frozen=True)
class ConsoleMessage:
    text: str
    category: str
    flags: int
    """nsIScriptError flags: 0 error, 1 warning, 8 info."""


class FirefoxError(RuntimeError):
    pass


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _user_js(preferences: dict[str, bool | int | str]) -> str:
    return "".join(
        f"user_pref({json.dumps(k)}, {json.dumps(v)});\n" for k, v in preferences.items()
    )


# Run in the page's content process with system principal ("system" sandbox). Firefox logs a
# CORS error twice: in the parent process without a window (innerWindowID 0, Browser Console
# only) and in the page's process with the page's window id, which is the copy the web console
# of the tab shows. Keep the latter: script errors of a window of this tab, nothing from chrome.
# Text as the web console's PageError.js renders it: errorMessage, with "Uncaught " (or
# "Uncaught (in promise) ") before an exception's message, without its stack.
_READ = """
const [after] = arguments;
const tab = window.browsingContext.browserId;
const ours = id => {
  const global = WindowGlobalChild.getByInnerWindowId(id);
  return global ? global.browsingContext.browserId === tab : true;  // gone: was ours
};
return Services.console.getMessageArray()
  .filter(m => m instanceof Ci.nsIScriptError && m.innerWindowID !== 0
    && !m.isFromChromeContext && m.microSecondTimeStamp > after && ours(m.innerWindowID))
  .map(m => {
    let text = m.errorMessage;
    if (m.hasException) {
      text = (m.isPromiseRejection ? "Uncaught (in promise) " : "Uncaught ")
        + text.replace(/^uncaught exception: /, "");
    }
    return [m.microSecondTimeStamp, text, m.category, m.flags];
  });
"""

_VERSION = """
const { AppConstants } = ChromeUtils.importESModule("resource://gre/modules/AppConstants.sys.mjs");
return Services.appinfo.name + " " + AppConstants.MOZ_APP_VERSION_DISPLAY;
"""

_EVALUATE = """
const resolve = arguments[arguments.length - 1];
Promise.resolve()
  .then(() => (
%s
  ))
  .then(value => resolve({ value }), error => resolve({ __error: String(error) }));
"""


class Firefox:
    """One headless Firefox with one tab, driven over Marionette; console messages collected."""

    name = "firefox"

    def __init__(
        self,
        executable: str,
        preferences: dict[str, bool | int | str] | None = None,
        accept_insecure_certs: bool = False,
    ) -> None:
        """`preferences` override `PREFERENCES` (the cookie referee restores Firefox's default
        cookieBehavior, 5; the gates set network.dns.localDomains), `accept_insecure_certs` for
        self-signed https pages."""
        self._profile = tempfile.mkdtemp(prefix="cors-probe-firefox-")
        port = _free_port()
        Path(self._profile, "user.js").write_text(
            _user_js({"marionette.port": port, **PREFERENCES, **(preferences or {})})
        )
        self._output = Path(self._profile, "firefox.log")
        with self._output.open("wb") as output:
            self._process = subprocess.Popen(
                [executable, *FIREFOX_FLAGS, "-profile", self._profile, "about:blank"],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self._client: Any = None
        self._after = 0
        self._log: list[ConsoleMessage] = []
        try:
            self._wait_for_port(port, 60)
            self._client = Marionette(host="127.0.0.1", port=port)
            capabilities = self._client.start_session(
                {"acceptInsecureCerts": True} if accept_insecure_certs else None, timeout=30
            )
            self._script_timeout: float = capabilities["timeouts"]["script"] / 1000
            with self._client.using_context("chrome"):
                self.version: str = self._client.execute_script(_VERSION)
        except BaseException as error:
            with contextlib.suppress(OSError):
                error.add_note("firefox said:\n" + self._output.read_text(errors="replace")[-2000:])
            self.close()
            raise

    def _wait_for_port(self, port: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise FirefoxError(f"firefox exited with {self._process.returncode} at start-up")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                return
            time.sleep(0.05)
        raise FirefoxError(f"firefox did not open its Marionette port in {timeout:g} s")

    def navigate(self, url: str) -> None:
        self._client.navigate(url)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            state = self.evaluate("document.readyState + ' ' + location.href")
            if state == f"complete {url}":
                return
            time.sleep(0.02)
        raise FirefoxError(f"{url} did not load")

    def evaluate(self, expression: str, timeout: float = 30) -> Any:
        """The JSON-able value of `expression` in the page, awaited if it is a promise."""
        try:
            if timeout != self._script_timeout:  # a round trip: only when it changes
                self._client.timeout.script = timeout
                self._script_timeout = timeout
            # sandbox=None: Marionette's mutable sandbox, which sees the page's own globals
            result = self._client.execute_async_script(_EVALUATE % expression, sandbox=None)
        except marionette_errors.MarionetteException as error:
            raise FirefoxError(f"script failed: {error}") from error
        if not isinstance(result, dict):
            raise FirefoxError(f"script returned {result!r}")
        if "__error" in result:
            raise FirefoxError(f"script failed: {result['__error']}")
        return result.get("value")

    def chrome_script(self, script: str, *args: Any) -> Any:
        """Run `script` with the browser's privileges (Marionette's chrome context), e.g. to set
        a site permission with Services.perms; `args` are its `arguments`."""
        with self._client.using_context("chrome"):
            return self._client.execute_script(script, script_args=list(args))

    def _poll(self) -> list[str]:
        """Every console message of the page seen so far, in order (new ones fetched now)."""
        rows = self._client.execute_script(_READ, script_args=[self._after], sandbox="system")
        for stamp, text, category, flags in rows:
            self._after = max(self._after, stamp)
            self._log.append(ConsoleMessage(text, category, flags))
        return [entry.text for entry in self._log]

    def console_mark(self) -> int:
        return len(self._poll())

    def console_since(self, mark: int) -> list[str]:
        """The page's console messages since `mark`, as the web console shows them."""
        return self._poll()[mark:]

    def settle(self, mark: int, quiet: float = 0.15, limit: float = 2.0) -> list[str]:
        """`console_since(mark)` once no new message has come for `quiet` s (at most `limit` s)."""
        return console.settle(self.console_since, mark, quiet, limit)

    def close(self) -> None:
        """Quit Firefox (killed if it lingers) and remove its profile."""
        if self._client is not None and self._client.session is not None:
            with contextlib.suppress(Exception):
                self._client._send_message("Marionette:Quit", {"flags": ["eForceQuit"]})
            with contextlib.suppress(Exception):
                self._client.delete_session(send_request=False)
        elif self._process.poll() is None:
            self._process.terminate()
        try:
            self._process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        shutil.rmtree(self._profile, ignore_errors=True)


def firefox(
    executable: str,
    preferences: dict[str, bool | int | str] | None = None,
    accept_insecure_certs: bool = False,
) -> contextlib.closing[Firefox]:
    """One headless Firefox; `preferences` over `PREFERENCES`, `accept_insecure_certs` for
    self-signed https pages."""
    return contextlib.closing(Firefox(executable, preferences, accept_insecure_certs))
