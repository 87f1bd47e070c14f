"""Configuration files offramp cannot read are reported, never passed as clean (issue 12 item 9).

A JSON or TOML file that does not parse is OFR000 at the error (as a Python file that does not
parse is): invalid JSON, JSON nested 1000 deep, a raw tab inside a JSON string. A UTF-16 `.env` or
YAML file (Windows editors and PowerShell's `>` write them) is OFR001: its bytes never contain
"OPENAI" as the prefilter looks for it, so it was skipped unread.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import run_cli

ENV = "OPENAI_API_KEY=\nOPENAI_MODEL=gpt-4o\n"
YAML = "openai:\n  model: gpt-4o\n"

BROKEN = {
    "unclosed.json": ('{"model": "gpt-4o",\n  "openai": {"base_url": "https://api.openai.com/v1"}\n', "1:", "2:"),
    "garbage.json": ('{"model": gpt-4o}\n', "1:11"),
    "deep.json": ('{"model": "gpt-4o", "x": ' + "[" * 1000 + "]" * 1000 + "}\n", "nested"),
    "tab.json": ('{"model": "gpt-4o",\n "openai": "a\tb"}\n', "2:"),
    "extra.json": ('{"model": "gpt-4o"} {"openai": 1}\n', "1:21"),
    "bad.toml": ('model = "gpt-4o"\nopenai = [\n', "2:"),
}
UNREADABLE = {
    ".env": ENV.encode("utf-16"),  # with a BOM
    "settings.env": ENV.encode("utf-16-le"),  # without one
    "config.yaml": YAML.encode("utf-16"),
    "compose.yml": YAML.encode("utf-16-be"),
}


def _check(tmp_path: Path, name: str) -> list:
    proc = run_cli(["check", "--no-cache", "--output-format", "json", name], tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    return json.loads(proc.stdout)["findings"]


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_configuration_file_that_does_not_parse_is_ofr000(name: str, tmp_path: Path) -> None:
    text, *where = BROKEN[name]
    (tmp_path / name).write_text(text, encoding="utf-8")
    findings = _check(tmp_path, name)
    assert [f["code"] for f in findings] == ["OFR000"], findings
    f = findings[0]
    assert f["message"].startswith("cannot parse file: ")
    position = f"{f['line']}:{f['column']}"
    assert any(w in position or w in f["message"] for w in where), (position, f["message"])


@pytest.mark.parametrize("name", sorted(UNREADABLE))
def test_a_utf16_configuration_file_is_ofr001(name: str, tmp_path: Path) -> None:
    (tmp_path / name).write_bytes(UNREADABLE[name])
    findings = _check(tmp_path, name)
    assert [f["code"] for f in findings] == ["OFR001"]
    assert "UTF-16" in findings[0]["message"] or "UTF-8" in findings[0]["message"]


def test_unreadable_configuration_is_reported_in_a_tree_walk_and_left_alone_by_fix(tmp_path: Path) -> None:
    for name, data in UNREADABLE.items():
        (tmp_path / name).write_bytes(data)
    for name, (text, *_) in BROKEN.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    proc = run_cli(["check", "--no-cache", "--output-format", "concise", "."], tmp_path)
    assert proc.returncode == 1
    for name in [*UNREADABLE, *BROKEN]:
        assert f"{name}:" in proc.stdout
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    proc = run_cli(["fix", "--to", "deepseek", "."], tmp_path)
    assert "Traceback" not in proc.stderr and proc.returncode in (0, 1), proc.stderr
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file() and p.name in before} == before


def test_jsonc_and_valid_files_are_not_reported(tmp_path: Path) -> None:
    (tmp_path / "ok.json").write_text('{\n  // openai\n  "model": "gpt-4o", /* x */\n}\n', encoding="utf-8")
    (tmp_path / "nested.json").write_text('{"openai": ' + "[" * 50 + "]" * 50 + "}\n", encoding="utf-8")
    (tmp_path / ".env").write_text(ENV, encoding="utf-8-sig")
    proc = run_cli(["check", "--no-cache", "--output-format", "concise", "."], tmp_path)
    assert "OFR000" not in proc.stdout and "OFR001" not in proc.stdout, proc.stdout
