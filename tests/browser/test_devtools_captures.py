"""The DevTools captures are regenerated, not hand-edited: scripts/capture_devtools.py, run again
with real Chromium and Firefox, writes the same cases and byte-identical texts, ports aside.

The texts carry each engine's User-Agent and client hints, so they can only match when the
engines are the versions that made the committed captures; with other versions the comparison
is skipped (locally and in CI alike) and says which versions it needs.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.browser.engines import require

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "tests" / "data" / "captures" / "devtools"


def _load(folder: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """The manifest and every file it names, with the capture's origins as {api} and {page}."""
    manifest: dict[str, Any] = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    api, page = manifest.pop("api"), manifest.pop("page")

    def placeholders(text: str) -> str:
        text = re.sub(re.escape(api) + r"(?!\d)", "{api}", text)
        return re.sub(re.escape(page) + r"(?!\d)", "{page}", text)

    texts = {
        case["id"]: placeholders((folder / case["file"]).read_bytes().decode("utf-8"))
        for case in manifest["cases"]
    }
    return json.loads(placeholders(json.dumps(manifest))), texts


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chromium, firefox = require("chrome"), require("firefox")
    if shutil.which("node") is None:
        reason = "node is not installed (apt-get install nodejs): the captures were NOT re-made"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    out = tmp_path_factory.mktemp("devtools")
    script = [sys.executable, "-m", "scripts.capture_devtools", "--out", str(out)]
    done = subprocess.run(
        [*script, "--chromium", chromium, "--firefox", firefox],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return out


def test_the_script_makes_the_committed_captures_again(regenerated: Path) -> None:
    committed, committed_texts = _load(COMMITTED)
    fresh, fresh_texts = _load(regenerated)
    if fresh["engines"] != committed["engines"]:
        pytest.skip(f"captured with {committed['engines']}, this machine has {fresh['engines']}")
    assert [c["id"] for c in fresh["cases"]] == [c["id"] for c in committed["cases"]]
    assert fresh == committed
    different = [i for i, text in fresh_texts.items() if text != committed_texts[i]]
    assert different == []
