"""A self-signed certificate made at test time, for https:// ScriptedServers (the gates' secure
pages). Engines are told to ignore certificate errors; cors-probe is run with --insecure."""

from __future__ import annotations

import ssl
import subprocess
import tempfile
from functools import cache
from pathlib import Path

NAMES = ("localhost", "page.test", "api.test", "lan.test")


@cache
def certificate() -> tuple[Path, Path]:
    """(certificate PEM, key PEM) for 127.0.0.1 and `NAMES`, valid for a day, made once with the
    `openssl` command."""
    folder = Path(tempfile.mkdtemp(prefix="cors-probe-tls-"))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    alt = ",".join([*(f"DNS:{n}" for n in NAMES), "IP:127.0.0.1"])
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"),
            *("-nodes", "-days", "1", "-subj", "/CN=cors-probe test", "-addext"),
            *(f"subjectAltName={alt}", "-keyout", str(key_path), "-out", str(cert_path)),
        ],
        check=True,
        capture_output=True,
    )
    return cert_path, key_path


def server_context() -> ssl.SSLContext:
    """A server-side TLS context with `certificate()`."""
    cert_path, key_path = certificate()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context
