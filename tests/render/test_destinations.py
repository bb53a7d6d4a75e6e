"""`--output` destinations are validated before anything is sent: one exact UsageError each."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import TextIO

import pytest

from cors_probe.errors import UsageError
from cors_probe.render import Format, RenderOptions, destinations
from cors_probe.render.destinations import Outputs, plan
from tests.subjects import allowed

BAD_OUTPUTS = [
    ("empty-name", ["junit:"], "--output '': give a file name"),
    ("named-twice", ["a.xml", "junit:a.xml"], "--output: the same file is named twice"),
    *(
        (
            f"unknown-format-{prefix}",
            [f"{prefix}:x.out"],
            f"--output '{prefix}:x.out': unknown format '{prefix}' "
            "(formats: text, json, junit, sarif, github)",
        )
        for prefix in ("junt", "yaml", "xml2")
    ),
    (
        "no-such-directory",
        ["sarif:out/x.sarif"],
        "--output 'out/x.sarif': no such directory '{cwd}/out'",
    ),
]


@pytest.mark.parametrize(
    ("outputs", "message"), [c[1:] for c in BAD_OUTPUTS], ids=[c[0] for c in BAD_OUTPUTS]
)
def test_bad_outputs_are_refused(
    outputs: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    expected = message.format(cwd=Path.cwd())
    with pytest.raises(UsageError, match=f"^{re.escape(expected)}$"):
        plan(Format.TEXT, outputs)


def test_a_plain_output_takes_the_format_and_the_terminal_gets_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    destinations = plan(Format.JSON, ["run.json", "junit:run.xml"])
    assert destinations.stdout is Format.TEXT
    assert destinations.files == ((Format.JSON, "run.json"), (Format.JUNIT, "run.xml"))
    assert destinations.formats == {Format.TEXT, Format.JSON, Format.JUNIT}


ROOT = hasattr(os, "geteuid") and os.geteuid() == 0  # root may write anywhere


def test_a_directory_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "reports").mkdir()
    with pytest.raises(UsageError, match=r"^--output 'reports': is a directory; give a file name$"):
        plan(Format.JSON, ["reports"])


@pytest.mark.skipif(ROOT, reason="root may write anywhere")
def test_an_unwritable_file_or_folder_is_refused_and_nothing_is_truncated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    kept = tmp_path / "kept.json"
    kept.write_text("old report")
    kept.chmod(0o444)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        with pytest.raises(UsageError, match=r"^--output 'kept.json': the file is not writable$"):
            plan(Format.TEXT, ["kept.json"])
        with pytest.raises(UsageError, match=r"cannot create a file in '.*locked'$"):
            plan(Format.TEXT, ["junit:locked/run.xml"])
    finally:
        locked.chmod(0o755)
    assert kept.read_text() == "old report"


def test_planning_a_writable_file_neither_creates_nor_truncates_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "old.json").write_text("old report")
    plan(Format.TEXT, ["old.json", "junit:new.xml"])
    assert (tmp_path / "old.json").read_text() == "old report"
    assert not (tmp_path / "new.xml").exists()


def _writer(text: str, fail: BaseException | None = None) -> object:
    def write(subject: object, file_format: object, out: TextIO, options: object) -> None:
        del subject, file_format, options
        out.write(text)
        out.flush()
        if fail is not None:
            raise fail

    return write


def test_a_write_interrupted_midway_leaves_the_old_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "run.json").write_text("old report")
    outputs = Outputs(plan(Format.TEXT, ["json:run.json"]), RenderOptions())
    monkeypatch.setattr(destinations, "write", _writer("half a rep", KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        outputs.write(allowed())
    assert (tmp_path / "run.json").read_text() == "old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.json"]  # no temporary left


def test_a_finished_write_replaces_the_file_and_keeps_its_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    old = tmp_path / "run.json"
    old.write_text("old report")
    old.chmod(0o640)
    outputs = Outputs(plan(Format.TEXT, ["json:run.json", "junit:new.xml"]), RenderOptions())
    monkeypatch.setattr(destinations, "write", _writer("new report"))
    outputs.write(allowed())
    assert old.read_text() == "new report"
    assert stat.S_IMODE(old.stat().st_mode) == 0o640
    assert (tmp_path / "new.xml").read_text() == "new report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.xml", "run.json"]


def test_a_format_is_named_in_any_case_and_a_drive_letter_is_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert plan(Format.TEXT, ["JSON:up.json"]).files == ((Format.JSON, "up.json"),)
    assert plan(Format.JUNIT, ["C:run.xml"]).files == ((Format.JUNIT, "C:run.xml"),)


def test_the_policy_file_is_never_an_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cors-probe.toml").write_text("")
    for given in ("cors-probe.toml", "junit:./cors-probe.toml"):
        with pytest.raises(UsageError, match="is the policy file"):
            plan(Format.JSON, [given], keep=["cors-probe.toml"])
