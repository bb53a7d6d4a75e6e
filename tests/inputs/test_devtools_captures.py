"""The DevTools captures (tests/data/captures/devtools/) are well formed and say what they claim.

A sanity check of the data, not of any parser: the manifest's shape (the one the --from-curl and
--from-fetch equivalence tests read), every file present, and each text carrying its request's
URL, the script's headers and body in the quoting of its variant. The proof that the texts are
the engines' own (regenerated, not hand-edited) is tests/browser/test_devtools_captures.py.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

FOLDER = Path(__file__).resolve().parents[1] / "data" / "captures" / "devtools"
MANIFEST: dict[str, Any] = json.loads((FOLDER / "manifest.json").read_text(encoding="utf-8"))
CASES: list[dict[str, Any]] = MANIFEST["cases"]
VARIANTS = {
    "chrome": {"curl-bash", "curl-cmd", "powershell", "fetch", "node-fetch"},
    "firefox": {"curl-bash", "curl-cmd", "fetch"},
}
LOOPBACK = re.compile(r"http://127\.0\.0\.1:\d+")


def _text(case: dict[str, Any]) -> str:
    name: str = case["file"]
    return (FOLDER / name).read_bytes().decode("utf-8")


def _lossy(case: dict[str, Any], about: str) -> bool:
    return any(note.startswith(about) for note in case.get("lossy", []))


def test_the_manifest_names_its_generator_engines_and_loopback_servers() -> None:
    assert MANIFEST["generated_by"] == "scripts/capture_devtools.py"
    assert set(MANIFEST["engines"]) == {"chrome", "firefox"}
    assert all(MANIFEST["engines"].values())
    assert LOOPBACK.fullmatch(MANIFEST["api"])
    assert LOOPBACK.fullmatch(MANIFEST["page"])
    assert MANIFEST["api"] != MANIFEST["page"]


def test_every_engine_and_variant_is_covered_by_enough_cases() -> None:
    seen = {(c["engine"], c["variant"]) for c in CASES}
    assert seen == {(e, v) for e, vs in VARIANTS.items() for v in vs}
    assert len(CASES) >= 24
    requests = {json.dumps(c["request"], sort_keys=True) for c in CASES}
    assert len(requests) >= 12


def test_ids_are_unique_and_every_file_exists_with_no_stray_one() -> None:
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))
    assert {c["file"] for c in CASES} == {p.name for p in FOLDER.glob("*.txt")}


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_a_case_is_well_formed(case: dict[str, Any]) -> None:
    assert case["id"].endswith(f".{case['engine']}.{case['variant']}")
    assert case["file"] == f"{case['id']}.txt"
    assert case["variant"] in VARIANTS[case["engine"]]
    assert case["source"]
    request = case["request"]
    assert set(request) == {"path", "method", "headers", "body", "credentials", "mode"}
    assert request["path"].startswith("/")
    assert all(len(pair) == 2 for pair in request["headers"])
    assert request["credentials"] in {"omit", "same-origin", "include"}
    assert request["mode"] in {"cors", "no-cors", "same-origin"}
    flags = case["flags"]
    assert flags[:2] == ["--origin", "{page}"]
    assert ("--credentials" in flags) == (request["credentials"] == "include")
    assert ("--data" in flags) == (request["body"] is not None)


def _fetch_call(text: str) -> tuple[str, dict[str, Any]]:
    """fetch(URL, OPTIONS); as JSON.stringify writes both (both engines' generators)."""
    head = text.removeprefix("await ")
    assert head.startswith("fetch(")
    assert head.endswith(");")
    decoder = json.JSONDecoder()
    url, end = decoder.raw_decode(head, len("fetch("))
    assert head[end : end + 2] == ", "
    options, end = decoder.raw_decode(head, end + 2)
    assert head[end:] == ");"
    return url, options


def _caret_free(text: str) -> str:
    """cmd.exe's quoting undone just enough to look for plain text: ^x -> x, then \\" -> "."""
    return re.sub(r"\^(.)", r"\1", text, flags=re.DOTALL).replace('\\"', '"')


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_the_text_carries_the_url_headers_and_body_in_its_variants_quoting(
    case: dict[str, Any],
) -> None:
    text = _text(case)
    request = case["request"]
    url = MANIFEST["api"] + request["path"]
    headers = [(n, v) for n, v in request["headers"]]
    variant = case["variant"]
    if variant == "curl-bash":
        assert text.startswith("curl ")
        assert f"'{url}'" in text
        for name, value in headers:
            assert f"-h '{name}: {value}'".lower() in text.lower()
        assert ("--data-raw " in text) == (request["body"] is not None)
    elif variant == "curl-cmd":
        assert text.startswith(("curl ", "curl.exe "))
        assert f'^"{url.split(":")[0]}' in text
        plain = _caret_free(text)
        assert f'"{url}"' in plain
        for name, value in headers:
            assert f'-h "{name}: {value}"'.lower() in plain.lower()
        assert ("--data-raw " in text) == (request["body"] is not None)
    elif variant == "powershell":
        assert f'-Uri "{url}"' in text
        for name, value in headers:
            if name.lower() == "content-type":  # DevTools passes it as -ContentType
                assert f'-ContentType "{value}"' in text
            else:
                assert f'"{name}"="{value}"'.lower() in text.lower()
        assert ("-Body " in text) == (request["body"] is not None)
    else:
        found, options = _fetch_call(text)
        assert found == url
        sent = {n.lower(): v for n, v in options.get("headers", {}).items()}
        for name, value in headers:
            assert sent[name.lower()] == value
        assert options["method"] == request["method"]
        assert (options.get("body") or None) == request["body"]
        if variant == "fetch" and not _lossy(case, "credentials"):
            wanted = "include" if request["credentials"] == "include" else "omit"
            assert options["credentials"] == wanted


BASH = [c for c in CASES if c["variant"] == "curl-bash"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
@pytest.mark.parametrize("case", BASH, ids=[c["id"] for c in BASH])
def test_bash_reads_a_bash_text_as_one_curl_call_with_the_scripts_request(
    case: dict[str, Any],
) -> None:
    """The text run by bash itself, with `curl` a shell function printing its arguments (nothing
    is sent): the quoting ($'...' included) gives back the URL, the headers and the body."""
    bash = shutil.which("bash")
    assert bash is not None
    script = 'curl() { printf "%s\\0" "$@"; }\n' + _text(case) + "\n"
    done = subprocess.run(
        [bash, "--noprofile", "--norc", "-c", script],
        capture_output=True,
        check=True,
        env={"LC_ALL": "C.UTF-8"},
    )
    argv = done.stdout.decode("utf-8").split("\0")[:-1]
    request = case["request"]
    assert MANIFEST["api"] + request["path"] in argv
    pairs = dict(itertools.pairwise(argv))
    sent = [argv[i + 1].lower() for i, arg in enumerate(argv) if arg == "-H"]
    for name, value in request["headers"]:
        assert f"{name}: {value}".lower() in sent
    if request["body"] is None:
        assert "--data-raw" not in argv
    elif not _lossy(case, "body"):
        assert pairs["--data-raw"] == request["body"]
