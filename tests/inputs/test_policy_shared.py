"""The checks of one [[check]] table share what they have in common (the header list, the name
of each engine, the page's address space of each origin): each check equals the one built
field by field, and a table of many paths holds one header list (tables of matrices)."""

from __future__ import annotations

from itertools import product
from pathlib import Path

import pytest

from cors_probe.inputs.policyfile import load_policy
from cors_probe.model import Headers, RequestShape
from cors_probe.policy.browsers import BY_OPTION
from cors_probe.policy.gates import page_space
from cors_probe.policy.origin import parse_origin
from cors_probe.usecases.spec import engine_named

HEAD = """base_url = "https://api.example.com/v1"
[defaults]
headers = ["X-Default: one"]
[origins]
app = "https://app.example.com"
local = "http://localhost:3000"
blank = "null"
[[check]]
"""
TABLES = {
    "one path": ('path = "/a"\norigin = "app"\n', ["/a"], ["app"], ["GET"], ["chromium"]),
    "a matrix": (
        'name = "m"\npaths = ["/a", "/b?x=1", "/c/../d"]\norigins = ["app", "local", "blank"]\n'
        'methods = ["GET", "put"]\nbrowsers = ["chromium", "firefox"]\n'
        'headers = ["X-Trace: abc", "Content-Type: application/json"]\ncredentials = true\n',
        ["/a", "/b?x=1", "/c/../d"],
        ["app", "local", "blank"],
        ["GET", "put"],
        ["chromium", "firefox"],
    ),
    "an origin by URL": (
        'paths = ["/a", "/b"]\norigin = "https://other.example:8443"\nbrowsers = "all"\n',
        ["/a", "/b"],
        ["https://other.example:8443"],
        ["GET"],
        ["chromium", "firefox", "safari"],
    ),
}
ORIGINS = {
    "app": "https://app.example.com",
    "local": "http://localhost:3000",
    "blank": "null",
}


@pytest.mark.parametrize("name", list(TABLES))
def test_each_check_equals_the_one_built_field_by_field(tmp_path: Path, name: str) -> None:
    text, paths, origins, methods, engines = TABLES[name]
    file = tmp_path / "cors-probe.toml"
    file.write_text(HEAD + text + 'expect = "allowed"\n')
    policy = load_policy(str(file), env={})
    extra = (("X-Trace", "abc"), ("Content-Type", "application/json")) if "X-Trace" in text else ()
    headers = (("X-Default", "one"), *extra)
    table_name = "m" if "name =" in text else "check #1"
    expected = []
    for path, origin_name, method, engine in product(paths, origins, methods, engines):
        origin = parse_origin(ORIGINS.get(origin_name, origin_name))
        space, assumed = page_space(origin, None, None)  # type: ignore[arg-type]
        expected.append(
            (
                engine_named(table_name, engine, tuple(engines)),
                RequestShape(
                    url=policy_url(path),
                    origin=origin,  # type: ignore[arg-type]
                    method=method,
                    headers=Headers(headers),
                    credentials="credentials" in text,
                    page_address_space=space,
                    page_address_space_assumed=assumed,
                ),
                origin_name,
                BY_OPTION[engine].name,
            )
        )
    got = [(c.name, c.shape, c.origin_name, c.browser) for c in policy.checks]
    assert got == expected
    assert len({id(c.shape.headers) for c in policy.checks}) == 1


def policy_url(path: str) -> str:
    """The URLs the table's paths name, as a browser serialises them."""
    return {
        "/a": "https://api.example.com/v1/a",
        "/b": "https://api.example.com/v1/b",
        "/b?x=1": "https://api.example.com/v1/b?x=1",
        "/c/../d": "https://api.example.com/v1/d",
    }[path]
