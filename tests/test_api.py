"""offramp.api drives check and fix in this process, with no terminal: what the command line prints, as data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List

import pytest
from helpers import run_cli

from offramp import api, codes

APP = """from openai import OpenAI

client = OpenAI()
reply = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
"""


def test_check_returns_what_the_command_line_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    got = api.check(["."], no_cache=True, overrides={"target": "qwen"})
    assert got.provider is not None and got.provider.id == "qwen"
    assert [p.name for p in got.files] == ["app.py"]
    assert {codes.OPENAI_CLIENT, codes.OPENAI_MODEL} <= {f.code for f in got.findings}
    printed = json.loads(run_cli(["check", "-n", "--to", "qwen", "--output-format", "json", "."], tmp_path).stdout)
    assert [(f.code, f.span.line) for f in got.findings] == [(f["code"], f["line"]) for f in printed["findings"]]


def test_fix_with_diff_writes_nothing_and_says_the_diff(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    said: List[str] = []
    done = api.fix(["."], diff=True, overrides={"target": "qwen"}, echo=lambda m="", **kw: said.append(str(m)))
    assert isinstance(done, api.FixRun) and done.code == 1  # (named apart from fixes/outcome.py's per-file Fixed)
    assert (tmp_path / "app.py").read_text(encoding="utf-8") == APP
    diff = "\n".join(said)
    assert "+++ " in diff and "dashscope" in diff.lower()
    results, findings = api.remaining(done.fixed)
    assert [r.path for r in results] == [r.display for r in done.fixed]
    assert codes.OPENAI_CLIENT not in {f.code for f in findings}


def test_usage_problems_raise_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(api.UsageError, match="path does not exist"):
        api.check([str(tmp_path / "missing.py")], no_cache=True)
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    with pytest.raises(api.UsageError, match="fix needs a target provider"):
        api.fix(["."])


def test_fix_says_what_each_file_came_to(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One typed outcome per file (fixes/outcome.py) rather than a flag and an error string read together."""
    from offramp.fixes.outcome import Failed, Fixed, Unchanged

    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    (tmp_path / "plain.py").write_text("print('hi')\n", encoding="utf-8")
    (tmp_path / "broken.py").write_text("from openai import OpenAI\nclient = OpenAI(\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    done = api.fix(["."], overrides={"target": "qwen"}, echo=lambda m="", **kw: None)
    got = {r.display: r.outcome for r in done.fixed}
    assert got["app.py"] == Fixed() and got["plain.py"] == Unchanged()
    assert isinstance(got["broken.py"], Failed) and got["broken.py"].reason.startswith("cannot parse file")
    assert [r.changed for r in done.fixed] == [isinstance(o, Fixed) for o in got.values()]
    assert done.code == 1  # a file left unchanged with an error
