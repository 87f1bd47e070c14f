"""The CI examples in docs/ci/ are valid and their offramp commands run against a fixture repo."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

DOCS = Path(__file__).resolve().parents[1] / "docs" / "ci"
ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
    "PATH": "/usr/bin:/bin",
    "NO_COLOR": "1",
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env={**ENV, "HOME": str(tmp_path)})

    git("init", "-q", "-b", "main")
    (root / "old.py").write_text("from openai import OpenAI\nclient = OpenAI()\n")
    git("add", ".")
    git("commit", "-qm", "base")
    git("update-ref", "refs/remotes/origin/main", "HEAD")
    git("checkout", "-qb", "feature")
    (root / "new.py").write_text("import openai\nopenai.api_key = 'x'\n")
    git("add", ".")
    git("commit", "-qm", "feature")
    return root


def run(command: str, cwd: Path, summary: Path) -> subprocess.CompletedProcess:
    """Run one documented shell line with our interpreter standing in for the `offramp` script."""
    command = command.replace("${{ github.base_ref }}", "main").replace("$CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main")
    redirect = None
    if ">>" in command:
        command, _, redirect = command.partition(">>")
        redirect = redirect.strip().strip('"')
    argv = shlex.split(command)
    assert argv[0] == "offramp", command
    proc = subprocess.run(
        [sys.executable, "-m", "offramp", *argv[1:]],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**ENV, "GITHUB_STEP_SUMMARY": str(summary)},
    )
    if redirect:
        with open(summary, "a", encoding="utf-8") as f:
            f.write(proc.stdout)
    return proc


def test_github_workflow(repo: Path, tmp_path: Path) -> None:
    workflow = yaml.safe_load((DOCS / "github-actions.yml").read_text())
    steps = workflow["jobs"]["offramp"]["steps"]
    commands = [s["run"] for s in steps if "run" in s and s["run"].startswith("offramp ")]
    assert len(commands) == 4
    summary = tmp_path / "summary.md"
    results = [run(c, repo, summary) for c in commands]
    annotate, summarise, sarif, gate = results
    assert annotate.returncode == 0 and "::error file=new.py" in annotate.stdout and "old.py" not in annotate.stdout
    assert summarise.returncode == 0 and "OFR101" in summary.read_text()
    assert sarif.returncode == 0 and json.loads((repo / "offramp.sarif").read_text())["version"] == "2.1.0"
    assert gate.returncode == 1 and "new.py:2:1: OFR103" in gate.stdout and "old.py" not in gate.stdout
    upload = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif")]
    assert upload and upload[0]["with"]["sarif_file"] == "offramp.sarif"
    assert workflow["permissions"]["security-events"] == "write"


def test_gitlab_job(repo: Path, tmp_path: Path) -> None:
    job = yaml.safe_load((DOCS / "gitlab-ci.yml").read_text())["offramp"]
    commands = [c for c in job["script"] if c.startswith("offramp ")]
    report, gate = [run(c, repo, tmp_path / "s.md") for c in commands]
    assert report.returncode == 0
    quality = json.loads((repo / job["artifacts"]["reports"]["codequality"]).read_text())
    assert {q["location"]["path"] for q in quality} == {"old.py", "new.py"}
    assert gate.returncode == 1 and "old.py" not in gate.stdout


def test_pre_commit_snippet_names_real_hooks() -> None:
    config = yaml.safe_load((DOCS / "pre-commit-config.yaml").read_text())
    hooks = yaml.safe_load((DOCS.parents[1] / ".pre-commit-hooks.yaml").read_text())
    ids = {h["id"] for h in hooks}
    assert {h["id"] for r in config["repos"] for h in r["hooks"]} <= ids
