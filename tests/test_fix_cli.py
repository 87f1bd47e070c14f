"""`offramp fix` from the command line: diff mode, exit codes, selection, the migration report."""

from __future__ import annotations

import shutil
from pathlib import Path

from helpers import run_cli

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "chatbot"


def project(tmp_path: Path) -> Path:
    root = tmp_path / "chatbot"
    shutil.copytree(EXAMPLE, root)
    return root


def snapshot(root: Path) -> dict:
    return {p: p.read_bytes() for p in sorted(root.rglob("*.py"))}


def test_diff_writes_nothing_and_exits_1(tmp_path: Path) -> None:
    root = project(tmp_path)
    before = snapshot(root)
    proc = run_cli(["fix", "--to", "qwen", "--diff", "."], root)
    assert proc.returncode == 1
    assert "+++ b/chatbot/llm.py" in proc.stdout and '+            model="qwen3.8-max",' in proc.stdout
    assert "Would rewrite 6 files for Qwen" in proc.stderr
    assert snapshot(root) == before


def test_fix_then_nothing_left_to_diff(tmp_path: Path) -> None:
    root = project(tmp_path)
    proc = run_cli(["fix", "--to", "qwen", "."], root)
    assert proc.returncode == 1  # TODOs and capability gaps remain
    assert "Rewrote 6 files" in proc.stderr
    again = run_cli(["fix", "--to", "qwen", "--diff", "."], root)
    assert again.returncode == 0 and again.stdout == ""


def test_select_limits_the_rewrite(tmp_path: Path) -> None:
    """Clients and keys selected, models not: no model is rewritten. Keys alone (OFR301) would move
    credentials without their hosts, so the route gate holds every rename and says why."""
    root = project(tmp_path)
    proc = run_cli(["fix", "--to", "qwen", "--diff", "--select", "OFR101,OFR102,OFR103,OFR104,OFR301", "."], root)
    changed = [
        line for line in proc.stdout.splitlines() if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))
    ]
    added = [line for line in changed if line.startswith("+")]
    assert any("DASHSCOPE_API_KEY" in line for line in added)
    # OpenAI model constants stay (OFR201 is not selected); an Azure client moves whole, deployment included
    assert not any('_MODEL = "qwen' in line for line in added)
    keys_only = run_cli(["fix", "--to", "qwen", "--diff", "--select", "OFR301", "."], root)
    assert "DASHSCOPE_API_KEY" not in keys_only.stdout
    assert "does not move to Qwen" in keys_only.stderr


def test_fix_needs_a_target(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    proc = run_cli(["fix", "."], root)
    assert proc.returncode == 2 and "--to PROVIDER" in proc.stderr


def test_migration_report(tmp_path: Path) -> None:
    root = project(tmp_path)
    proc = run_cli(["fix", "--to", "deepseek", "--report", "migration.md", "."], root)
    assert proc.returncode == 1
    report = (root / "migration.md").read_text(encoding="utf-8")
    assert report.startswith("# Migration to DeepSeek")
    assert "Produced by `offramp fix --to deepseek --report migration.md .`" in report
    assert "| model | 6 |" in report and "- `chatbot/azure_backend.py` (2 site(s))" in report
    assert "- [ ] `chatbot/search.py:15` DeepSeek does not serve the OpenAI `embeddings` API (OFR401)" in report
    assert (
        "| OFR401 | DeepSeek does not serve the OpenAI `embeddings` API used by `client.embeddings.create` | 1 |"
        in report
    )
    assert "DEEPSEEK_API_KEY" in report
