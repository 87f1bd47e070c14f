"""Reports show paths from the current directory (as Ruff does), SARIF from the repository root.

The project root (where the settings file is) is what per-file-ignores and baselines are
relative to; what a person reads, or pipes into `git apply`, is relative to where they ran
the command. Each test runs from the parent of a nested project with its own pyproject.toml.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from offramp.cli import main as cli_main

SDK = "from openai import OpenAI\n\nclient = OpenAI()\n"
PROJECT = '[tool.offramp]\nper-file-ignores = { "legacy/*" = ["OFR101"] }\n'


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository holding `examples/chatbot`, a project of its own; the cwd is the repository."""
    for name in ("OFFRAMP_OUTPUT_FORMAT", "OFFRAMP_OUTPUT_FILE", "OFFRAMP_CACHE_DIR", "GIT_DIR", "GIT_WORK_TREE"):
        monkeypatch.delenv(name, raising=False)
    project = tmp_path / "examples" / "chatbot"
    (project / "chatbot").mkdir(parents=True)
    (project / "legacy").mkdir()
    (project / "pyproject.toml").write_text(PROJECT)
    (project / "chatbot" / "llm.py").write_text(SDK)
    (project / "legacy" / "old.py").write_text(SDK)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(*args: str):
    return CliRunner().invoke(cli_main, [*args, "--no-cache"] if args[0] == "check" else list(args))


def test_check_shows_paths_from_the_current_directory(repo: Path) -> None:
    out = _run("check", "examples/chatbot", "--output-format", "concise").output
    assert out.startswith("examples/chatbot/chatbot/llm.py:3:10: OFR101"), out
    assert "legacy/old.py" not in out  # per-file-ignores still match relative to the project root
    data = json.loads(_run("check", "examples/chatbot", "--output-format", "json").output)
    assert {f["path"] for f in data["findings"]} == {"examples/chatbot/chatbot/llm.py"}
    full = _run("check", "examples/chatbot").output
    assert "examples/chatbot/chatbot/llm.py:3:10" in full and "client = OpenAI()" in full  # the source line is found


def test_check_from_inside_the_project_shows_paths_from_there(repo: Path, monkeypatch) -> None:
    monkeypatch.chdir(repo / "examples" / "chatbot" / "chatbot")
    out = _run("check", "--output-format", "concise", ".").output
    assert out.startswith("llm.py:3:10: OFR101"), out


def test_sarif_uris_are_relative_to_the_repository_root(repo: Path, monkeypatch) -> None:
    monkeypatch.chdir(repo / "examples")
    doc = json.loads(_run("check", "chatbot", "--output-format", "sarif").output)
    run = doc["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"
    locations = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]]
    assert {(loc["uri"], loc["uriBaseId"]) for loc in locations} == {("examples/chatbot/chatbot/llm.py", "%SRCROOT%")}


def test_fix_diff_of_a_nested_project_applies_with_git_apply(repo: Path) -> None:
    result = _run("fix", "examples/chatbot", "--to", "qwen", "--diff")
    assert result.exit_code == 1, result.output
    patch = result.stdout
    assert "--- a/examples/chatbot/chatbot/llm.py" in patch, patch
    proc = subprocess.run(["git", "apply", "-v", "-"], cwd=repo, input=patch, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "dashscope" in (repo / "examples" / "chatbot" / "chatbot" / "llm.py").read_text()


def test_fix_summary_and_report_name_files_from_the_current_directory(repo: Path) -> None:
    report = repo / "migration.md"
    result = _run("fix", "examples/chatbot", "--to", "qwen", "--report", str(report))
    assert "examples/chatbot/chatbot/llm.py" in report.read_text()
    assert "`chatbot/llm.py`" not in report.read_text()
    assert result.exit_code in (0, 1), result.output


def test_fix_diff_of_files_without_a_final_newline_applies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """crewAI-examples' `.env.example` files end without a newline: the patch must mark it, or the
    last line runs into the next file's header and `git apply` calls the patch corrupt. A form feed
    inside a line is part of that line for `git apply` (str.splitlines split it)."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".env.example").write_text("OPENAI_API_KEY=...", encoding="utf-8")
    (tmp_path / "app.py").write_text(
        "import os\n# page one\x0cpage two\nfrom openai import OpenAI\n\n"
        'client = OpenAI(api_key=os.getenv("OPENAI_API_KEY"))\n'
        'client.chat.completions.create(model="gpt-4o", messages=[])',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    patch = _run("fix", ".", "--to", "deepseek", "--diff").stdout
    assert "\\ No newline at end of file" in patch, patch
    proc = subprocess.run(["git", "apply", "-v", "-"], cwd=tmp_path, input=patch, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / ".env.example").read_text(encoding="utf-8") == "DEEPSEEK_API_KEY=..."
    assert "api.deepseek.com" in (tmp_path / "app.py").read_text(encoding="utf-8")
