"""The hooks in .pre-commit-hooks.yaml, driven by the real pre-commit.

pre-commit builds its own virtualenv with offramp installed from this checkout, exactly as a
user's hook would. `pre-commit try-repo` did that for every call (a fresh store each time: ~20 s
of clone and pip install per call, 7 calls); here the checkout is pinned once per module as
try-repo pins it (`_repo_ref`: the commit, plus uncommitted changes in a shadow clone) and the
hooks run with `pre-commit run` from a config naming that repository and revision, the way a
user's `.pre-commit-config.yaml` does, so the environment is built once and shared.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Tuple

import pytest

REPO = Path(__file__).resolve().parents[1]
BLOCKED = (
    "from openai import OpenAI\n\nclient = OpenAI()\nclient.chat.completions.create(model='gpt-4o', messages=[])\n"
)
CLEAN = "from openai import OpenAI\n\nclient = OpenAI(base_url='http://localhost:8000/v1', api_key='local')\n"


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="module")
def hooks_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A pre-commit config naming this checkout at the revision try-repo would use, with both hooks."""
    from pre_commit.commands.try_repo import _repo_ref

    shadow = tmp_path_factory.mktemp("hooks-repo")
    repo, rev = _repo_ref(str(shadow), str(REPO), None)
    config = shadow / "pre-commit-config.yaml"
    config.write_text(
        f"repos:\n- repo: {repo}\n  rev: {rev}\n  hooks:\n  - id: offramp-check\n  - id: offramp-fix\n",
        encoding="utf-8",
    )
    return config


def _env(home: Path, project: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OFFRAMP_", "PRE_COMMIT", "GIT_"))}
    bindir = str(Path(sys.executable).parent)
    env.update(
        {
            "PRE_COMMIT_HOME": str(home),
            "PATH": bindir + os.pathsep + env.get("PATH", ""),
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com",
            "HOME": str(project.parent),
        }
    )
    return env


Hooks = Tuple[Path, Path]  # (pre-commit home, config)


def run_hook(hook: str, project: Path, hooks: Hooks, *files: str) -> subprocess.CompletedProcess:
    home, config = hooks
    pre_commit = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or "pre-commit"
    return subprocess.run(
        [pre_commit, "run", hook, "--config", str(config), "--files", *files, "--verbose"],
        cwd=project,
        env=_env(home, project),
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture
def hooks(pre_commit_home: Path, hooks_config: Path) -> Hooks:
    return pre_commit_home, hooks_config


@pytest.fixture
def project(tmp_path: Path, pre_commit_home: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=root, check=True, env=_env(pre_commit_home, root))
    (root / "pyproject.toml").write_text('[tool.offramp]\ntarget = "qwen"\nextend-exclude = ["vendored"]\n')
    (root / "bad.py").write_text(BLOCKED)
    (root / "good.py").write_text(CLEAN)
    (root / "vendored").mkdir()
    (root / "vendored" / "lib.py").write_text(BLOCKED)
    subprocess.run(["git", "add", "."], cwd=root, check=True, env=_env(pre_commit_home, root))
    return root


def test_check_hook_fails_on_violation_and_passes_clean(project: Path, hooks: Hooks) -> None:
    bad = run_hook("offramp-check", project, hooks, "bad.py", "good.py")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "OFR101" in bad.stdout and "bad.py" in bad.stdout
    good = run_hook("offramp-check", project, hooks, "good.py")
    assert good.returncode == 0, good.stdout + good.stderr
    # --force-exclude: config excludes hold for file names pre-commit passes explicitly
    vendored = run_hook("offramp-check", project, hooks, "vendored/lib.py")
    assert vendored.returncode == 0, vendored.stdout


def test_fix_hook_rewrites_then_passes(project: Path, hooks: Hooks) -> None:
    first = run_hook("offramp-fix", project, hooks, "bad.py")
    assert first.returncode == 1, first.stdout + first.stderr
    text = (project / "bad.py").read_text()
    assert 'base_url="https://dashscope.aliyuncs.com/compatible-mode/v1"' in text and "model='qwen3.8-max'" in text
    subprocess.run(["git", "add", "."], cwd=project, check=True, env=_env(hooks[0], project))
    second = run_hook("offramp-fix", project, hooks, "bad.py")
    assert second.returncode == 0, second.stdout + second.stderr


# Names the hooks must pass to offramp exactly when offramp reads them (offramp.userconfig.kind).
HOOK_NAMES = [
    "a.py", "pkg/b.pyi", "nb/demo.ipynb", ".env", ".env.example", "deploy/.env.local", "prod.env",
    "config.yaml", "k8s/app.yml", "pyproject.toml", "settings.json", "app.ini", "setup.cfg", "nginx.conf",
    "package-lock.json", "web/npm-shrinkwrap.json", "locales/de/errors.json", "i18n/en.yaml",
    "README.md", "script.sh", "Dockerfile", "data.csv", "envfile", "a.py.txt",
]  # fmt: skip


def test_hooks_select_the_files_offramp_reads() -> None:
    import re

    import yaml

    from offramp.userconfig.kind import config_kind

    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    for hook in hooks:
        assert hook["types"] == ["text"] and "types_or" not in hook
        for name in HOOK_NAMES:
            selected = bool(re.search(hook["files"], name)) and not re.search(hook["exclude"], name)
            reads = Path(name).suffix in (".py", ".pyi", ".ipynb") or config_kind(name) is not None
            assert selected == reads, (hook["id"], name)


NOTEBOOK = (
    '{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null, "source":'
    ' ["from openai import OpenAI\\n", "client = OpenAI()\\n"]}], "metadata": {}, "nbformat": 4,'
    ' "nbformat_minor": 5}\n'
)


def test_check_hook_checks_notebooks_and_config_files(project: Path, hooks: Hooks) -> None:
    (project / "demo.ipynb").write_text(NOTEBOOK)
    (project / ".env.example").write_text("OPENAI_BASE_URL=https://api.openai.com/v1\n")
    (project / "settings.yaml").write_text("llm:\n  base_url: https://api.openai.com/v1\n")
    subprocess.run(["git", "add", "."], cwd=project, check=True, env=_env(hooks[0], project))
    run = run_hook("offramp-check", project, hooks, "demo.ipynb", ".env.example", "settings.yaml")
    assert run.returncode == 1, run.stdout + run.stderr
    for needle in ("demo.ipynb:cell 1:2", ".env.example:1", "settings.yaml:2"):
        assert needle in run.stdout, run.stdout
