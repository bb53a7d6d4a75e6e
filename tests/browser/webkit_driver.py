"""Drive one WebKitGTK web view (the engine inside Safari) for the browser tests.

Run by the Debian interpreter, which can import `gi` (the project's Python cannot):

    /usr/bin/python3 -I tests/browser/webkit_driver.py --reply-fd N [--data-dir D] [--display :D]

The web process inherits this process's stdout and stderr and, with the setting
enable-write-console-messages-to-stdout, prints every console message (`CONSOLE SECURITY ERROR
...`) on stderr, despite the name. So neither stream carries commands: one JSON command per line
arrives on stdin, one JSON reply per line leaves on the inherited pipe `--reply-fd`. Commands:

    {"id": 1, "op": "version"}
    {"id": 2, "op": "navigate", "url": "http://127.0.0.1:8000/"}
    {"id": 3, "op": "evaluate", "expression": "fetch(...).then(r => r.status)"}
    {"id": 4, "op": "quit"}

Replies: {"id": 1, "value": ...} or {"id": 1, "error": "..."}. The first line on the reply pipe
is {"id": 0, "value": "ready"}. End of stdin quits. Without --display an Xvfb of our own is
started (-displayfd picks a free display; it dies with us, whatever kills us). WebKit writes
nothing into the tree: data and cache live in --data-dir (a fresh temporary directory by default),
removed at exit. The sandbox stays off: the 4.1 API leaves it off unless asked.

Standard library and gi only; no cors_probe, no tests.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from typing import Any

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM when the process that started us dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    """Our own X server on a free display (Xvfb picks it and writes its number to a pipe)."""
    read_end, write_end = os.pipe()
    process = subprocess.Popen(
        [
            "Xvfb",
            "-displayfd",
            str(write_end),
            "-screen",
            "0",
            "1280x1024x24",
            "-nolisten",
            "tcp",
            "-noreset",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        pass_fds=(write_end,),
        preexec_fn=_die_with_parent,
    )
    os.close(write_end)
    number = b""
    while not number.endswith(b"\n"):
        chunk = os.read(read_end, 64)
        if not chunk:
            raise RuntimeError(f"Xvfb exited ({process.wait()}) before reporting its display")
        number += chunk
    os.close(read_end)
    return process, f":{int(number)}"


def prepare_environment(display: str) -> None:
    """Set before Gtk and WebKit are imported: the web processes inherit all of it."""
    os.environ["DISPLAY"] = display
    os.environ["GDK_BACKEND"] = "x11"
    os.environ.pop("WAYLAND_DISPLAY", None)
    os.environ["LIBGL_ALWAYS_SOFTWARE"] = "1"
    os.environ["WEBKIT_DISABLE_COMPOSITING_MODE"] = "1"
    os.environ["WEBKIT_DISABLE_DMABUF_RENDERER"] = "1"
    os.environ["NO_AT_BRIDGE"] = "1"  # no accessibility bus
    os.environ["GTK_A11Y"] = "none"
    os.environ["GSETTINGS_BACKEND"] = "memory"
    os.environ["GIO_USE_VFS"] = "local"
    # The 4.1 API leaves the bubblewrap sandbox off unless asked (we do not ask); should a build
    # force it on, bubblewrap fails for root in most CI containers.
    os.environ["WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS"] = "1"


class Driver:
    def __init__(self, reply_fd: int, root: str, ignore_tls_errors: bool = False) -> None:
        import gi  # type: ignore[import-not-found, unused-ignore]

        gi.require_version("Gtk", "3.0")
        gi.require_version("WebKit2", "4.1")
        from gi.repository import (  # type: ignore[import-not-found, unused-ignore]
            GLib,
            Gtk,
            WebKit2,
        )

        self.GLib: Any = GLib
        self.Gtk: Any = Gtk
        self.WebKit2: Any = WebKit2
        self.reply_fd = reply_fd
        self.pending_load: int | None = None
        self.buffer = b""

        manager = WebKit2.WebsiteDataManager(
            base_data_directory=os.path.join(root, "data"),
            base_cache_directory=os.path.join(root, "cache"),
        )
        manager.set_itp_enabled(False)
        manager.set_persistent_credential_storage_enabled(False)
        manager.set_network_proxy_settings(WebKit2.NetworkProxyMode.NO_PROXY, None)
        if ignore_tls_errors:  # the gates' self-signed https pages
            manager.set_tls_errors_policy(WebKit2.TLSErrorsPolicy.IGNORE)
        context = WebKit2.WebContext(website_data_manager=manager)
        context.set_cache_model(WebKit2.CacheModel.DOCUMENT_VIEWER)
        context.set_spell_checking_enabled(False)
        # the same Accept-Language on every machine, whatever its locale (LANG unset: "C")
        context.set_preferred_languages(["en-US"])
        settings = WebKit2.Settings(
            enable_write_console_messages_to_stdout=True,
            enable_developer_extras=False,
            enable_dns_prefetching=False,
            enable_page_cache=False,
            enable_site_specific_quirks=False,
            enable_webgl=False,
            enable_webaudio=False,
            enable_media=False,
            enable_media_stream=False,
            enable_smooth_scrolling=False,
            hardware_acceleration_policy=WebKit2.HardwareAccelerationPolicy.NEVER,
        )
        self.view = WebKit2.WebView(web_context=context, settings=settings)
        self.view.connect("load-changed", self.on_load_changed)
        self.view.connect("load-failed", self.on_load_failed)
        self.view.connect("web-process-terminated", self.on_web_process_terminated)
        self.window = Gtk.Window()
        self.window.set_default_size(1024, 768)
        self.window.add(self.view)
        self.window.show_all()
        GLib.io_add_watch(0, GLib.PRIORITY_DEFAULT, GLib.IO_IN | GLib.IO_HUP, self.on_stdin)
        for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            GLib.unix_signal_add(GLib.PRIORITY_HIGH, number, self.on_signal)

    def on_signal(self) -> bool:
        self.Gtk.main_quit()
        return False

    # --- channel --------------------------------------------------------------------------

    def reply(self, ident: int, value: Any = None, error: str | None = None) -> None:
        message: dict[str, Any] = {"id": ident}
        if error is None:
            message["value"] = value
        else:
            message["error"] = error
        data = (json.dumps(message) + "\n").encode()
        while data:
            data = data[os.write(self.reply_fd, data) :]

    def on_stdin(self, _fd: int, _condition: int) -> bool:
        chunk = os.read(0, 65536)
        if not chunk:
            self.Gtk.main_quit()
            return False
        self.buffer += chunk
        while b"\n" in self.buffer:
            line, self.buffer = self.buffer.split(b"\n", 1)
            if not line.strip():
                continue
            try:
                command = json.loads(line)
            except ValueError:
                print(f"webkit_driver: not a command: {line!r}", file=sys.stderr, flush=True)
                continue
            self.dispatch(command)
        return True

    def dispatch(self, command: dict[str, Any]) -> None:
        ident = int(command["id"])
        op = command.get("op")
        try:
            if op == "version":
                self.reply(ident, self.version())
            elif op == "navigate":
                self.navigate(ident, str(command["url"]))
            elif op == "evaluate":
                self.evaluate(ident, str(command["expression"]))
            elif op == "quit":
                self.reply(ident, None)
                self.Gtk.main_quit()
            else:
                self.reply(ident, error=f"unknown op {op!r}")
        except Exception as error:  # a bad command must not take the driver down
            self.reply(ident, error=f"{type(error).__name__}: {error}")

    # --- commands -------------------------------------------------------------------------

    def version(self) -> dict[str, Any]:
        W = self.WebKit2
        return {
            "major": W.get_major_version(),
            "minor": W.get_minor_version(),
            "micro": W.get_micro_version(),
            "user_agent": self.view.get_settings().get_user_agent(),
        }

    def navigate(self, ident: int, url: str) -> None:
        if self.pending_load is not None:
            self.reply(self.pending_load, error="superseded by another navigation")
        self.pending_load = ident
        self.view.load_uri(url)

    def on_load_changed(self, _view: Any, event: Any) -> None:
        if event == self.WebKit2.LoadEvent.FINISHED and self.pending_load is not None:
            ident, self.pending_load = self.pending_load, None
            self.reply(ident, self.view.get_uri())

    def on_load_failed(self, _view: Any, _event: Any, uri: str, error: Any) -> bool:
        if error.matches(self.WebKit2.network_error_quark(), self.WebKit2.NetworkError.CANCELLED):
            return False  # the previous load, cancelled by the one we wait for
        if self.pending_load is not None:
            ident, self.pending_load = self.pending_load, None
            self.reply(ident, error=f"load of {uri} failed: {error.message}")
        return False

    def on_web_process_terminated(self, _view: Any, reason: Any) -> None:
        print(f"webkit_driver: web process terminated: {reason}", file=sys.stderr, flush=True)
        if self.pending_load is not None:
            ident, self.pending_load = self.pending_load, None
            self.reply(ident, error=f"web process terminated: {reason}")

    def evaluate(self, ident: int, expression: str) -> None:
        body = (
            "const value = await (\n"
            + expression
            + "\n);\nreturn JSON.stringify(value === undefined ? null : value);"
        )

        def done(view: Any, result: Any) -> None:
            try:
                value = view.call_async_javascript_function_finish(result)
            except self.GLib.Error as error:
                self.reply(ident, error=error.message)
                return
            text = value.to_string() if value is not None and value.is_string() else "null"
            self.reply(ident, json.loads(text))

        self.view.call_async_javascript_function(body, -1, None, None, None, None, done)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--reply-fd", type=int, required=True)
    parser.add_argument("--display", help="use this X display instead of starting an Xvfb")
    parser.add_argument(
        "--data-dir", help="WebKit's data and cache (removed at exit); default: a temporary one"
    )
    parser.add_argument(
        "--ignore-tls-errors", action="store_true", help="accept any certificate (test pages)"
    )
    args = parser.parse_args()

    os.set_inheritable(args.reply_fd, False)  # for us alone, not for Xvfb or the web process
    xvfb = None
    display = args.display
    if display is None:
        xvfb, display = start_xvfb()
    prepare_environment(display)
    root = args.data_dir or tempfile.mkdtemp(prefix="cors-probe-webkit-")
    try:
        driver = Driver(args.reply_fd, root, args.ignore_tls_errors)
        driver.reply(0, "ready")
        driver.Gtk.main()
    finally:
        shutil.rmtree(root, ignore_errors=True)
        if xvfb is not None:
            xvfb.terminate()
            try:
                xvfb.wait(timeout=5)
            except subprocess.TimeoutExpired:
                xvfb.kill()
                xvfb.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
