"""The maintainers' refresh report (offramp.knowledge.refresh) on pinned snapshots, and its weekly CI job.

The snapshots in tests/fixtures/knowledge/ are small: real LiteLLM 1.110.2 entries and a models.dev
api.json-shaped file with a few invented entries (see the README there) that exercise each kind of
item: a mapped model retired upstream, a new provider id, json_schema flags the catalogue contradicts,
a context disagreement, new OpenAI ids with their proposed family and one offramp does not recognise.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import yaml
from helpers import compare_snapshot

from offramp.knowledge.refresh import main

KNOWLEDGE = Path(__file__).parent / "fixtures" / "knowledge"
LITELLM = KNOWLEDGE / "litellm-1.110.2-subset.json"
MODELS_DEV = KNOWLEDGE / "models-dev-subset.json"
WORKFLOW = Path(__file__).resolve().parents[1] / "docs" / "ci" / "knowledge-refresh.yml"
ARGS = ["--litellm", str(LITELLM), "--models-dev", str(MODELS_DEV), "--date", "2026-12-31"]


def test_report_on_the_pinned_snapshots(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(ARGS) == 0
    out = capsys.readouterr().out
    compare_snapshot(out, KNOWLEDGE / "refresh-report.golden")
    assert out.startswith("# offramp catalogue review, 2026-12-31\n")
    assert "mapped `qwen-flash` (cheap/legacy/reasoning-cheap) is retired upstream (models.dev: deprecated)" in out
    assert "new: `gpt-7-terra` (released 2026-12-20) -> proposed family `mid`" in out
    assert "`nova-1` (models.dev) is not recognised as an OpenAI model id" in out
    # retirements the catalogue already records (deepseek-chat, moonshot-v1-8k) are not news
    assert "deepseek-chat" not in out and "moonshot-v1-8k" not in out


def test_bad_input_is_a_one_line_error(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "litellm.json"
    broken.write_text("{not json", "utf-8")
    assert main(["--litellm", str(broken), "--models-dev", str(MODELS_DEV)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("offramp: error: ") and "not valid JSON" in err and err.count("\n") == 1
    assert main(["--litellm", str(tmp_path / "missing.json"), "--models-dev", str(MODELS_DEV)]) == 2
    assert "cannot read the LiteLLM model-price JSON" in capsys.readouterr().err
    assert main([*ARGS[:4], "--date", "31/12/2026"]) == 2
    assert "is not YYYY-MM-DD" in capsys.readouterr().err


def test_weekly_workflow_runs_the_report(tmp_path: Path) -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text("utf-8"))
    schedule = workflow[True]["schedule"][0]["cron"].split()  # PyYAML reads the `on:` key as True
    assert len(schedule) == 5 and schedule[2:4] == ["*", "*"] and schedule[4] != "*"  # once a week
    steps = workflow["jobs"]["review"]["steps"]
    (run,) = [s["run"] for s in steps if "offramp.knowledge.refresh" in s.get("run", "")]
    line = next(x for x in run.splitlines() if "offramp.knowledge.refresh" in x)
    argv = shlex.split(line.split(">")[0])
    assert argv[:3] == ["python", "-m", "offramp.knowledge.refresh"]
    argv[argv.index("--litellm") + 1] = str(LITELLM)
    argv[argv.index("--models-dev") + 1] = str(MODELS_DEV)
    proc = subprocess.run([sys.executable, *argv[1:]], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("# offramp catalogue review, ") and "items to review." in proc.stdout
